package dev.kv.server.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.apache.ratis.protocol.RaftPeerId;
import org.junit.jupiter.api.Test;

class TermQuorumTest {
  private static final RaftPeerId A = RaftPeerId.valueOf("a");
  private static final RaftPeerId B = RaftPeerId.valueOf("b");
  private static final RaftPeerId C = RaftPeerId.valueOf("c");
  private static final RaftPeerId D = RaftPeerId.valueOf("d");
  private static final RaftPeerId E = RaftPeerId.valueOf("e");
  private static final long TERM = 7;

  @Test
  void twoOfThreeConfirm() {
    TermQuorum quorum = new TermQuorum(TERM, Set.of(A, B, C), Set.of());
    quorum.confirm(A);
    assertThat(quorum.reached()).isNotDone();
    quorum.confirm(C);
    assertThat(quorum.reached()).isCompletedWithValue(true);
  }

  @Test
  void oneRefusalOfThreeLeavesAMajorityPossible() {
    TermQuorum quorum = new TermQuorum(TERM, Set.of(A, B, C), Set.of());
    quorum.confirm(A);
    quorum.unconfirmed(B);
    assertThat(quorum.reached()).isNotDone();
    quorum.confirm(C);
    assertThat(quorum.reached()).isCompletedWithValue(true);
  }

  @Test
  void twoRefusalsOfThreeEndIt() {
    TermQuorum quorum = new TermQuorum(TERM, Set.of(A, B, C), Set.of());
    quorum.confirm(A);
    quorum.unconfirmed(B);
    quorum.unconfirmed(C);
    assertThat(quorum.reached()).isCompletedWithValue(false);
  }

  @Test
  void halfOfAnEvenConfigurationIsNoMajority() {
    TermQuorum quorum = new TermQuorum(TERM, Set.of(A, B, C, D), Set.of());
    quorum.confirm(A);
    quorum.confirm(B);
    assertThat(quorum.reached()).isNotDone();
    quorum.unconfirmed(C);
    assertThat(quorum.reached()).isNotDone();
    quorum.unconfirmed(D);
    assertThat(quorum.reached()).isCompletedWithValue(false);
  }

  @Test
  void aSingleVoterConfirmsAlone() {
    TermQuorum quorum = new TermQuorum(TERM, Set.of(A), Set.of());
    quorum.confirm(A);
    assertThat(quorum.reached()).isCompletedWithValue(true);
  }

  @Test
  void aJointConfigurationNeedsAMajorityOfBoth() {
    // Moving from {a, b, c} to {a, d, e}: a and b are a majority of the old voters only.
    TermQuorum quorum = new TermQuorum(TERM, Set.of(A, D, E), Set.of(A, B, C));
    quorum.confirm(A);
    quorum.confirm(B);
    assertThat(quorum.reached()).isNotDone();
    quorum.confirm(D);
    assertThat(quorum.reached()).isCompletedWithValue(true);
  }

  @Test
  void aJointConfigurationFailsWhenEitherSideCannotReachAMajority() {
    TermQuorum quorum = new TermQuorum(TERM, Set.of(A, D, E), Set.of(A, B, C));
    quorum.confirm(A);
    quorum.confirm(D);
    quorum.unconfirmed(B);
    assertThat(quorum.reached()).isNotDone();
    quorum.unconfirmed(C);
    assertThat(quorum.reached()).isCompletedWithValue(false);
  }

  @Test
  void votersOutsideTheConfigurationDoNotCount() {
    TermQuorum quorum = new TermQuorum(TERM, Set.of(A, B, C), Set.of());
    quorum.confirm(D);
    quorum.confirm(E);
    quorum.confirm(A);
    assertThat(quorum.reached()).isNotDone();
  }

  @Test
  void votersAtTheLeadersTermConfirm() {
    TermQuorum quorum = new TermQuorum(TERM, Set.of(A, B, C), Set.of());
    quorum.confirm(A);
    quorum.answered(B, TERM);
    assertThat(quorum.reached()).isCompletedWithValue(true);
  }

  @Test
  void votersAtAnOlderTermDoNotConfirm() {
    // What a replica re-created with empty storage answers before it heard from any leader.
    TermQuorum quorum = new TermQuorum(TERM, Set.of(A, B, C), Set.of());
    quorum.confirm(A);
    quorum.answered(B, 0);
    quorum.answered(C, TERM - 1);
    assertThat(quorum.reached()).isCompletedWithValue(false);
  }

  @Test
  void votersAtANewerTermDoNotConfirm() {
    // A newer leader was elected by b and c: the old leader must not serve from its state.
    TermQuorum quorum = new TermQuorum(TERM, Set.of(A, B, C), Set.of());
    quorum.confirm(A);
    quorum.answered(B, TERM + 1);
    assertThat(quorum.reached()).isNotDone();
    quorum.answered(C, TERM + 1);
    assertThat(quorum.reached()).isCompletedWithValue(false);
  }

  @Test
  void aLeaderOutsideItsNewConfigurationCountsOnlyInTheOldOne() {
    // Leader a is being removed: {a, b, c} to {b, c, d}.
    TermQuorum quorum = new TermQuorum(TERM, Set.of(B, C, D), Set.of(A, B, C));
    quorum.confirm(A);
    quorum.answered(B, TERM);
    assertThat(quorum.reached()).as("a majority of the old voters only").isNotDone();
    quorum.answered(D, TERM);
    assertThat(quorum.reached()).isCompletedWithValue(true);
  }

  @Test
  void aConfigurationWithoutVotersIsRefused() {
    assertThatThrownBy(() -> new TermQuorum(TERM, Set.of(), Set.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("without voters");
  }
}
