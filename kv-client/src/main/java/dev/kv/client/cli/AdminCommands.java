package dev.kv.client.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.kv.api.v1.ClusterGrpc;
import dev.kv.api.v1.ClusterStatus;
import dev.kv.api.v1.DrainNodeRequest;
import dev.kv.api.v1.GetStatusRequest;
import dev.kv.api.v1.GroupReplicas;
import dev.kv.api.v1.NodeInfo;
import dev.kv.api.v1.NodeStatus;
import dev.kv.api.v1.RangeAssignment;
import dev.kv.api.v1.RemoveNodeRequest;
import dev.kv.api.v1.ReplicaStatus;
import dev.kv.api.v1.TransferLeaderRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Administration: {@code cluster status}, {@code group transfer-leader}, {@code node drain} and
 * {@code node remove}, through the Cluster service of the first endpoint that answers ({@code
 * cluster health} is {@link HealthCommand}).
 */
final class AdminCommands {
  private AdminCommands() {}

  /** Calls the Cluster service on each endpoint in turn until one answers (not UNAVAILABLE). */
  static <T> T call(Kvctl kvctl, Function<ClusterGrpc.ClusterBlockingStub, T> rpc) {
    StatusRuntimeException last = null;
    for (String endpoint : kvctl.resolveEndpoints()) {
      ManagedChannel channel = ManagedChannelBuilder.forTarget(endpoint).usePlaintext().build();
      try {
        return rpc.apply(
            ClusterGrpc.newBlockingStub(channel)
                .withDeadlineAfter(kvctl.timeout.toMillis(), TimeUnit.MILLISECONDS));
      } catch (StatusRuntimeException e) {
        last = e;
        if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
          throw e;
        }
      } finally {
        channel.shutdownNow();
      }
    }
    throw last;
  }

  /** Prints a failed admin call and returns the exit code. */
  static int failed(PrintWriter err, StatusRuntimeException e) {
    err.println("kvctl: " + e.getStatus().getCode() + ": " + e.getStatus().getDescription());
    var code = e.getStatus().getCode();
    return code == Status.Code.INVALID_ARGUMENT || code == Status.Code.NOT_FOUND
            || code == Status.Code.FAILED_PRECONDITION
        ? ExitCodes.USAGE
        : ExitCodes.SERVICE_ERROR;
  }

  @Command(name = "cluster", description = "Cluster status and health.",
      subcommands = {Cluster.StatusCmd.class, HealthCommand.class})
  static final class Cluster {
    @ParentCommand Kvctl kvctl;

    @Command(name = "status", description = "Nodes, groups, hash ranges, leaders and replica lag.")
    static final class StatusCmd implements Callable<Integer> {
      @ParentCommand Cluster parent;
      @Spec CommandSpec spec;

      @Option(names = {"-o", "--output"}, defaultValue = "table",
          description = "table or json. Default: ${DEFAULT-VALUE}.")
      String output;

      @Override
      public Integer call() throws InvalidProtocolBufferException {
        PrintWriter out = spec.commandLine().getOut();
        ClusterStatus status;
        try {
          status = AdminCommands.call(parent.kvctl, s -> s.getStatus(GetStatusRequest.getDefaultInstance()));
        } catch (StatusRuntimeException e) {
          return failed(spec.commandLine().getErr(), e);
        }
        if (output.equals("json")) {
          out.println(JsonFormat.printer().print(status));
        } else if (output.equals("table")) {
          printTable(out, status);
        } else {
          spec.commandLine().getErr().println("kvctl: -o must be table or json, not " + output);
          return ExitCodes.USAGE;
        }
        return ExitCodes.OK;
      }
    }
  }

  static void printTable(PrintWriter out, ClusterStatus status) {
    var placement = status.getPlacement();
    Map<String, ReplicaStatus> byReplica = new HashMap<>();
    Map<String, Integer> leads = new HashMap<>();
    for (NodeStatus node : status.getNodesList()) {
      for (ReplicaStatus r : node.getReplicasList()) {
        byReplica.put(r.getGroupId() + "@" + node.getNodeId(), r);
        if (r.getRole().equals("LEADER")) {
          leads.merge(node.getNodeId(), 1, Integer::sum);
        }
      }
    }
    out.printf("placement epoch %d%n%n", placement.getEpoch());
    out.printf("%-10s %-9s %-22s %-22s %8s %7s%n", "NODE", "STATE", "API", "RAFT", "REPLICAS",
        "LEADS");
    for (NodeInfo n : placement.getNodesList()) {
      long replicas = placement.getGroupsList().stream()
          .filter(g -> g.getReplicasList().contains(n.getNodeId())).count();
      boolean unreachable = status.getUnreachableList().stream()
          .anyMatch(u -> u.getNodeId().equals(n.getNodeId()));
      out.printf("%-10s %-9s %-22s %-22s %8d %7s%n", n.getNodeId(),
          unreachable ? "DOWN" : n.getState().name(), n.getApiAddress(), n.getRaftAddress(),
          replicas, unreachable ? "?" : String.valueOf(leads.getOrDefault(n.getNodeId(), 0)));
    }
    out.printf("%n%-10s %-37s %-8s %s%n", "GROUP", "HASH RANGE", "LEADER", "REPLICAS (applied lag)");
    for (GroupReplicas g : placement.getGroupsList()) {
      List<String> ranges = new ArrayList<>();
      for (RangeAssignment r : placement.getRangesList()) {
        if (r.getGroupId().equals(g.getGroupId())) {
          ranges.add(String.format("[%016x, %s)", r.getStart(),
              r.getEnd() == 0 ? "2^64" : String.format("%016x", r.getEnd())));
        }
      }
      String leader = "-";
      long leaderApplied = 0;
      for (String node : g.getReplicasList()) {
        ReplicaStatus r = byReplica.get(g.getGroupId() + "@" + node);
        if (r != null && r.getRole().equals("LEADER")) {
          leader = node;
          leaderApplied = r.getAppliedIndex();
        }
      }
      List<String> replicas = new ArrayList<>();
      for (String node : g.getReplicasList()) {
        ReplicaStatus r = byReplica.get(g.getGroupId() + "@" + node);
        replicas.add(node + (r == null ? "(?)" : "(" + Math.max(0, leaderApplied - r.getAppliedIndex()) + ")"));
      }
      out.printf("%-10s %-37s %-8s %s%n", g.getGroupId(),
          ranges.isEmpty() ? "(none: metadata)" : String.join(" ", ranges), leader,
          String.join(" ", replicas));
    }
    for (var u : status.getUnreachableList()) {
      out.printf("%nunreachable: %s (%s)%n", u.getNodeId(), u.getError());
    }
  }

  @Command(name = "group", description = "Group administration.",
      subcommands = Group.TransferLeader.class)
  static final class Group {
    @ParentCommand Kvctl kvctl;

    @Command(name = "transfer-leader", description = "Moves a group's leadership to NODE.")
    static final class TransferLeader implements Callable<Integer> {
      @ParentCommand Group parent;
      @Spec CommandSpec spec;
      @Parameters(index = "0", paramLabel = "GROUP") String group;
      @Parameters(index = "1", paramLabel = "NODE") String node;

      @Override
      public Integer call() {
        try {
          var reply = AdminCommands.call(parent.kvctl, s -> s.transferLeader(
              TransferLeaderRequest.newBuilder().setGroupId(group).setNodeId(node).build()));
          spec.commandLine().getOut().println(group + " is led by " + reply.getLeader());
          return ExitCodes.OK;
        } catch (StatusRuntimeException e) {
          return failed(spec.commandLine().getErr(), e);
        }
      }
    }
  }

  @Command(name = "node", description = "Node administration.",
      subcommands = {Node.Drain.class, Node.Remove.class})
  static final class Node {
    @ParentCommand Kvctl kvctl;

    @Command(name = "drain",
        description = "Moves every replica off NODE (progress: kvctl cluster status).")
    static final class Drain implements Callable<Integer> {
      @ParentCommand Node parent;
      @Spec CommandSpec spec;
      @Parameters(index = "0", paramLabel = "NODE") String node;

      @Override
      public Integer call() {
        try {
          AdminCommands.call(parent.kvctl, s -> s.drainNode(DrainNodeRequest.newBuilder().setNodeId(node).build()));
          spec.commandLine().getOut().println(node + " is draining; when 'kvctl cluster status'"
              + " shows it with 0 replicas, run 'kvctl node remove " + node + "'");
          return ExitCodes.OK;
        } catch (StatusRuntimeException e) {
          return failed(spec.commandLine().getErr(), e);
        }
      }
    }

    @Command(name = "remove", description = "Forgets a drained NODE that holds no replica.")
    static final class Remove implements Callable<Integer> {
      @ParentCommand Node parent;
      @Spec CommandSpec spec;
      @Parameters(index = "0", paramLabel = "NODE") String node;

      @Override
      public Integer call() {
        try {
          AdminCommands.call(parent.kvctl, s -> s.removeNode(RemoveNodeRequest.newBuilder().setNodeId(node).build()));
          spec.commandLine().getOut().println(node + " removed; it can be stopped");
          return ExitCodes.OK;
        } catch (StatusRuntimeException e) {
          return failed(spec.commandLine().getErr(), e);
        }
      }
    }
  }
}
