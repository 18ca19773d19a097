package dev.kv.statemachine.apply;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.kv.statemachine.proto.Command;
import dev.kv.statemachine.proto.CommandResult;
import dev.kv.statemachine.proto.GetQuery;
import dev.kv.statemachine.proto.GetResult;
import dev.kv.statemachine.proto.ReadRequest;
import dev.kv.statemachine.storage.InMemoryKvStore;
import dev.kv.api.testing.SeededRuns;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Random command sequences (seeded) against a plain map model of values and versions. */
class ApplierModelTest {

  record Model(String value, long version) {}

  @Test
  void applyAgreesWithAMapModel() {
    SeededRuns.run("ApplierModelTest", 300, random -> checkAgainstModel(commands(random)));
  }

  private static void checkAgainstModel(List<Command> commands) {
    InMemoryKvStore store = new InMemoryKvStore();
    Applier applier = new Applier(store, ApplyConfig.DEFAULTS, OwnedRanges.WHOLE_RING);
    Reads reads = new Reads(store, OwnedRanges.WHOLE_RING);
    Map<String, Model> model = new HashMap<>();
    long index = 0;
    for (Command command : commands) {
      CommandResult result =
          applier.apply(1, ++index, Commands.entry(1, command)).orElseThrow().getResults(0);
      switch (command.getOpCase()) {
        case PUT -> {
          String key = command.getPut().getKey().toStringUtf8();
          long version = model.containsKey(key) ? model.get(key).version() + 1 : 1;
          model.put(key, new Model(command.getPut().getValue().toStringUtf8(), version));
          assertThat(result.getPut().getVersion()).isEqualTo(version);
        }
        case DELETE -> {
          String key = command.getDelete().getKey().toStringUtf8();
          assertThat(result.getDelete().getExisted()).isEqualTo(model.remove(key) != null);
        }
        case COMPARE_AND_SET -> {
          String key = command.getCompareAndSet().getKey().toStringUtf8();
          Model current = model.get(key);
          long expected = command.getCompareAndSet().getCondition().getVersionEquals();
          boolean holds = current != null && current.version() == expected;
          assertThat(result.getCompareAndSet().getSucceeded()).isEqualTo(holds);
          if (holds) {
            model.put(
                key,
                new Model(
                    command.getCompareAndSet().getPutValue().toStringUtf8(), current.version() + 1));
          }
        }
        default -> throw new AssertionError(command);
      }
    }
    for (String key : List.of("a", "b", "c", "d")) {
      GetResult got =
          reads
              .read(
                  ReadRequest.newBuilder()
                      .setGet(GetQuery.newBuilder().setKey(ByteString.copyFromUtf8(key)))
                      .build())
              .getGet();
      Model expected = model.get(key);
      assertThat(got.getFound()).isEqualTo(expected != null);
      if (expected != null) {
        assertThat(got.getValue().toStringUtf8()).isEqualTo(expected.value());
        assertThat(got.getVersion()).isEqualTo(expected.version());
      }
    }
  }

  private static List<Command> commands(Random random) {
    String[] keys = {"a", "b", "c", "d"};
    List<Command> commands = new ArrayList<>();
    for (int i = random.nextInt(41); i > 0; i--) {
      String key = keys[random.nextInt(keys.length)];
      String value = Integer.toString(random.nextInt(1000), 36);
      commands.add(
          switch (random.nextInt(3)) {
            case 0 -> Commands.put(key, value);
            case 1 -> Commands.delete(key);
            default -> Commands.cas(key, Commands.versionEquals(1 + random.nextInt(4)), value);
          });
    }
    return commands;
  }
}
