import { print } from 'graphql';
import { CLIENT_SUBSCRIBERS_PAGE } from '@app/shared/graphql/operations.js';

/** The text SubscriberPager posts: operations.ts' `ClientSubscribersPage`, printed where Apollo is loaded anyway. */
export const subscriberPageQuery = (): string => print(CLIENT_SUBSCRIBERS_PAGE);
