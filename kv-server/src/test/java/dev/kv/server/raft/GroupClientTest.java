package dev.kv.server.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletionException;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.LeaderSteppingDownException;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.junit.jupiter.api.Test;

/**
 * Which failures a write is sent again for: only a refusal before appending by a leader handing
 * over (the Ratis client does not retry it). StatefulSetBootstrapIT hit one after bootstrap,
 * when the balancer moved a leadership just as a write arrived.
 */
class GroupClientTest {

  @Test
  void aLeaderSteppingDownIsRecognisedHoweverItIsWrapped() {
    var steppingDown = new LeaderSteppingDownException("kv-2@group-1 is stepping down");

    assertThat(GroupClient.isSteppingDown(steppingDown)).isTrue();
    assertThat(GroupClient.isSteppingDown(new CompletionException(steppingDown))).isTrue();
    assertThat(GroupClient.isSteppingDown(new GroupClient.RaftFailure(steppingDown))).isTrue();
  }

  @Test
  void otherFailuresAreNotSentAgainHere() {
    var member = RaftGroupMemberId.valueOf(RaftPeerId.valueOf("kv-0"), RaftGroupId.randomId());

    assertThat(GroupClient.isSteppingDown(new LeaderNotReadyException(member))).isFalse();
    assertThat(GroupClient.isSteppingDown(new CompletionException(new IllegalStateException())))
        .isFalse();
    assertThat(GroupClient.isSteppingDown(new GroupClient.RaftFailure(null))).isFalse();
  }
}
