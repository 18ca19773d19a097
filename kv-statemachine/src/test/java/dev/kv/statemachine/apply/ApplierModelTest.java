package dev.kv.statemachine.apply;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.kv.statemachine.proto.Command;
import dev.kv.statemachine.proto.CommandResult;
import dev.kv.statemachine.proto.GetQuery;
import dev.kv.statemachine.proto.GetResult;
import dev.kv.statemachine.proto.ReadRequest;
import dev.kv.statemachine.storage.InMemoryKvStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Random command sequences against a plain map model of values and versions. */
class ApplierModelTest {

  record Model(String value, long version) {}

  @Property(tries = 200)
  void applyAgreesWithAMapModel(@ForAll("commands") List<Command> commands) {
    InMemoryKvStore store = new InMemoryKvStore();
    Applier applier = new Applier(store, ApplyConfig.DEFAULTS);
    Reads reads = new Reads(store);
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

  @Provide
  Arbitrary<List<Command>> commands() {
    Arbitrary<String> keys = Arbitraries.of("a", "b", "c", "d");
    Arbitrary<String> values = Arbitraries.strings().alpha().ofMaxLength(3);
    Arbitrary<Command> put = Combinators.combine(keys, values).as(Commands::put);
    Arbitrary<Command> delete = keys.map(Commands::delete);
    Arbitrary<Command> cas =
        Combinators.combine(keys, Arbitraries.longs().between(1, 4), values)
            .as((k, v, value) -> Commands.cas(k, Commands.versionEquals(v), value));
    return Arbitraries.oneOf(put, delete, cas).list().ofMaxSize(40);
  }
}
