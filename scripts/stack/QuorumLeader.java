// Prints the KRaft metadata quorum of the local cluster as one JSON line: the active controller's
// node id, its epoch, the high watermark and each voter's last fetch. Run by scripts/stack.mjs
// (`kafkaQuorum()`, `stack.mjs controller`) as a single-file program against the cached Kafka jars:
//   java -cp '<jars>/*' scripts/stack/QuorumLeader.java <bootstrap servers> [timeout ms]
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.QuorumInfo;

public class QuorumLeader {
  public static void main(String[] args) throws Exception {
    String timeout = args.length > 1 ? args[1] : "30000";
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeout);
    try (Admin admin = Admin.create(props)) {
      QuorumInfo quorum = admin.describeMetadataQuorum().quorumInfo().get();
      String voters = quorum.voters().stream()
          .map(v -> "{\"id\":" + v.replicaId() + ",\"logEndOffset\":" + v.logEndOffset() + ",\"lastFetchMs\":" + v.lastFetchTimestamp().orElse(-1L) + "}")
          .collect(Collectors.joining(","));
      System.out.println("{\"leaderId\":" + quorum.leaderId() + ",\"leaderEpoch\":" + quorum.leaderEpoch() + ",\"highWatermark\":" + quorum.highWatermark() + ",\"voters\":[" + voters + "]}");
    }
  }
}
