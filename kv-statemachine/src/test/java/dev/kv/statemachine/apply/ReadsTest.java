package dev.kv.statemachine.apply;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.kv.statemachine.proto.ReadRequest;
import dev.kv.statemachine.proto.ScanEntry;
import dev.kv.statemachine.proto.ScanQuery;
import dev.kv.statemachine.proto.ScanResult;
import dev.kv.statemachine.storage.InMemoryKvStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReadsTest {
  private final InMemoryKvStore store = new InMemoryKvStore();
  private final Reads reads = new Reads(store, OwnedRanges.WHOLE_RING);

  private void load(int keys) {
    Applier applier = new Applier(store, ApplyConfig.DEFAULTS, OwnedRanges.WHOLE_RING);
    for (int i = 0; i < keys; i++) {
      applier.apply(1, i + 1, Commands.entry(1, Commands.put((i % 2 == 0 ? "even-" : "odd-") + i, "v" + i)));
    }
  }

  private ScanResult page(ByteString after, int limit, String prefix, boolean keysOnly) {
    return reads
        .read(
            ReadRequest.newBuilder()
                .setScan(
                    ScanQuery.newBuilder()
                        .setAfter(after)
                        .setLimit(limit)
                        .setKeyPrefix(ByteString.copyFromUtf8(prefix))
                        .setKeysOnly(keysOnly))
                .build())
        .getScan();
  }

  @Test
  void pagesCoverEveryKeyExactlyOnce() {
    load(57);
    Set<String> seen = new HashSet<>();
    List<Integer> pageSizes = new ArrayList<>();
    ByteString cursor = ByteString.EMPTY;
    do {
      ScanResult page = page(cursor, 10, "", false);
      pageSizes.add(page.getEntriesCount());
      for (ScanEntry e : page.getEntriesList()) {
        assertThat(seen.add(e.getKey().toStringUtf8())).isTrue();
        assertThat(e.getValue().toStringUtf8()).startsWith("v");
      }
      cursor = page.getResumeAfter();
    } while (!cursor.isEmpty());
    assertThat(seen).hasSize(57);
    assertThat(pageSizes.subList(0, 5)).containsOnly(10);
  }

  @Test
  void prefixFilterAndKeysOnly() {
    load(20);
    ScanResult page = page(ByteString.EMPTY, 100, "odd-", true);
    assertThat(page.getEntriesList()).hasSize(10);
    assertThat(page.getEntriesList()).allSatisfy(e -> {
      assertThat(e.getKey().toStringUtf8()).startsWith("odd-");
      assertThat(e.getValue()).isEmpty();
      assertThat(e.getVersion()).isEqualTo(1);
    });
    assertThat(page.getResumeAfter()).isEmpty();
  }

  @Test
  void aSelectivePrefixStopsAfterTheExaminationBudgetWithACursor() {
    load(Reads.MAX_EXAMINED_PER_PAGE + 5);
    ScanResult first = page(ByteString.EMPTY, 1000, "no-such-prefix", false);
    assertThat(first.getEntriesList()).isEmpty();
    assertThat(first.getResumeAfter()).isNotEmpty();
    ScanResult second = page(first.getResumeAfter(), 1000, "no-such-prefix", false);
    assertThat(second.getResumeAfter()).isEmpty();
  }

  @Test
  void aPageOfLargeValuesEndsAtTheByteBudget() {
    Applier applier = new Applier(store, ApplyConfig.DEFAULTS, OwnedRanges.WHOLE_RING);
    String big = "x".repeat(512 * 1024);
    for (int i = 0; i < 10; i++) {
      applier.apply(1, i + 1, Commands.entry(1, Commands.put("big-" + i, big)));
    }
    ScanResult first = page(ByteString.EMPTY, 1000, "", false);
    assertThat(first.getEntriesCount()).isEqualTo(Reads.MAX_PAGE_BYTES / (512 * 1024));
    assertThat(first.getResumeAfter()).isNotEmpty();
    ScanResult second = page(first.getResumeAfter(), 1000, "", false);
    assertThat(first.getEntriesCount() + second.getEntriesCount()).isLessThanOrEqualTo(10);
  }
}
