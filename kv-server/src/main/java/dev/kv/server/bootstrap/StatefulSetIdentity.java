package dev.kv.server.bootstrap;

import dev.kv.server.config.HostPort;
import dev.kv.api.placement.NodeId;
import dev.kv.server.config.Peer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who this node is when it runs as a pod of a Kubernetes StatefulSet, and who the cluster's initial
 * members are, derived from the names Kubernetes guarantees: pod {@code kv-2} of StatefulSet {@code
 * kv} has ordinal 2 and the stable DNS name {@code kv-2.<headless service>.<namespace>.svc.<cluster
 * domain>}.
 *
 * <p>The node id is the pod name (a DNS label, so a valid {@link NodeId}); the initial members are
 * the pods with ordinals {@code 0 .. initialMembers-1}. A pod with a higher ordinal is not an
 * initial member: it joins the running cluster through the initial members, and the placement
 * controller then moves replicas to it. Pure: it reads no environment and resolves no names
 * itself; {@link #fromEnvironment(Map)} takes the environment as a map.
 */
public final class StatefulSetIdentity {
  /** The pod's name, from the downward API ({@code metadata.name}); falls back to HOSTNAME. */
  public static final String ENV_POD_NAME = "POD_NAME";

  /** Set by container runtimes to the pod name; used when {@link #ENV_POD_NAME} is absent. */
  public static final String ENV_HOSTNAME = "HOSTNAME";

  /** The pod's namespace, from the downward API ({@code metadata.namespace}). */
  public static final String ENV_POD_NAMESPACE = "POD_NAMESPACE";

  /** The headless Service that gives each pod its DNS name; its presence turns this mode on. */
  public static final String ENV_PEER_SERVICE = "KV_PEER_SERVICE";

  /** How many pods (ordinals 0..n-1) form the cluster on its first start. */
  public static final String ENV_INITIAL_MEMBERS = "KV_INITIAL_MEMBERS";

  /** The cluster's DNS domain; default {@value #DEFAULT_CLUSTER_DOMAIN}. */
  public static final String ENV_CLUSTER_DOMAIN = "KV_CLUSTER_DOMAIN";

  public static final String DEFAULT_CLUSTER_DOMAIN = "cluster.local";

  /** Every environment variable this class reads. */
  public static final List<String> ENVIRONMENT =
      List.of(
          ENV_POD_NAME,
          ENV_HOSTNAME,
          ENV_POD_NAMESPACE,
          ENV_PEER_SERVICE,
          ENV_INITIAL_MEMBERS,
          ENV_CLUSTER_DOMAIN);

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  private static final Pattern POD_NAME = Pattern.compile("(.+)-(0|[1-9][0-9]{0,8})");
  private static final Pattern DOMAIN =
      Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

  private final String statefulSet;
  private final int ordinal;
  private final int initialMembers;
  private final String peerService;
  private final String namespace;
  private final String clusterDomain;

  private StatefulSetIdentity(
      String statefulSet,
      int ordinal,
      int initialMembers,
      String peerService,
      String namespace,
      String clusterDomain) {
    this.statefulSet = statefulSet;
    this.ordinal = ordinal;
    this.initialMembers = initialMembers;
    this.peerService = peerService;
    this.namespace = namespace;
    this.clusterDomain = clusterDomain;
  }

  /**
   * @param podName this pod's name, {@code <statefulset>-<ordinal>}
   * @param initialMembers how many pods form the cluster on its first start (>= 1)
   * @param peerService the headless Service named in the StatefulSet's {@code serviceName}
   * @param namespace the namespace of the pods and the Service
   * @param clusterDomain the cluster's DNS domain, usually {@value #DEFAULT_CLUSTER_DOMAIN}
   * @throws IllegalArgumentException naming the value that is not a valid name
   */
  public static StatefulSetIdentity of(
      String podName,
      int initialMembers,
      String peerService,
      String namespace,
      String clusterDomain) {
    Matcher m = POD_NAME.matcher(podName == null ? "" : podName);
    if (!m.matches() || !DNS_LABEL.matcher(podName).matches()) {
      throw new IllegalArgumentException(
          "pod name '"
              + podName
              + "' is not <statefulset>-<ordinal> (like kv-0) made of"
              + " lowercase letters, digits and '-'");
    }
    if (initialMembers < 1) {
      throw new IllegalArgumentException(
          "initial members is " + initialMembers + "; it must be at least 1");
    }
    requireLabel("headless service name", peerService);
    requireLabel("namespace", namespace);
    String domain =
        clusterDomain.endsWith(".")
            ? clusterDomain.substring(0, clusterDomain.length() - 1)
            : clusterDomain;
    if (!DOMAIN.matcher(domain).matches()) {
      throw new IllegalArgumentException(
          "cluster domain '" + clusterDomain + "' is not a DNS name like cluster.local");
    }
    return new StatefulSetIdentity(
        m.group(1), Integer.parseInt(m.group(2)), initialMembers, peerService, namespace, domain);
  }

  /**
   * The identity the StatefulSet's environment describes, or empty when {@link #ENV_PEER_SERVICE}
   * is unset (the node is not configured to run in a StatefulSet).
   *
   * @throws IllegalArgumentException naming the missing or invalid variable
   */
  public static Optional<StatefulSetIdentity> fromEnvironment(Map<String, String> env) {
    String service = blankToNull(env.get(ENV_PEER_SERVICE));
    if (service == null) {
      return Optional.empty();
    }
    String podName = blankToNull(env.get(ENV_POD_NAME));
    if (podName == null) {
      podName = blankToNull(env.get(ENV_HOSTNAME));
    }
    if (podName == null) {
      throw new IllegalArgumentException(
          ENV_PEER_SERVICE
              + " is set but neither "
              + ENV_POD_NAME
              + " nor "
              + ENV_HOSTNAME
              + " names the pod");
    }
    String namespace = blankToNull(env.get(ENV_POD_NAMESPACE));
    if (namespace == null) {
      throw new IllegalArgumentException(
          ENV_PEER_SERVICE
              + " is set but "
              + ENV_POD_NAMESPACE
              + " is not (set it from the"
              + " downward API: fieldRef metadata.namespace)");
    }
    String membersText = blankToNull(env.get(ENV_INITIAL_MEMBERS));
    if (membersText == null) {
      throw new IllegalArgumentException(
          ENV_PEER_SERVICE + " is set but " + ENV_INITIAL_MEMBERS + " is not");
    }
    int members;
    try {
      members = Integer.parseInt(membersText.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          ENV_INITIAL_MEMBERS + " is '" + membersText + "'; it must be a whole number");
    }
    String domain = blankToNull(env.get(ENV_CLUSTER_DOMAIN));
    return Optional.of(
        of(podName, members, service, namespace, domain == null ? DEFAULT_CLUSTER_DOMAIN : domain));
  }

  /** This node's id: the pod name, e.g. {@code kv-2}. */
  public NodeId nodeId() {
    return new NodeId(podName(ordinal));
  }

  /** The pod's ordinal in its StatefulSet. */
  public int ordinal() {
    return ordinal;
  }

  public String statefulSet() {
    return statefulSet;
  }

  /** True when this pod is one of the members the cluster is first formed with. */
  public boolean isInitialMember() {
    return ordinal < initialMembers;
  }

  /** The stable DNS name of the pod with this ordinal, e.g. kv-1.kv-peers.db.svc.cluster.local. */
  public String host(int podOrdinal) {
    if (podOrdinal < 0) {
      throw new IllegalArgumentException("ordinal " + podOrdinal + " is negative");
    }
    return podName(podOrdinal) + "." + peerService + "." + namespace + ".svc." + clusterDomain;
  }

  /**
   * The initial members (ordinals {@code 0 .. initialMembers-1}), each named by its pod name and
   * reached at its stable DNS name on {@code raftPort} (every pod listens on the same port).
   */
  public List<Peer> initialPeers(int raftPort) {
    List<Peer> peers = new ArrayList<>(initialMembers);
    for (int i = 0; i < initialMembers; i++) {
      peers.add(new Peer(new NodeId(podName(i)), new HostPort(host(i), raftPort)));
    }
    return List.copyOf(peers);
  }

  /** {@link #initialPeers} in the {@code --peers} syntax: {@code id=host:port,...}. */
  public String initialPeersFlag(int raftPort) {
    StringBuilder text = new StringBuilder();
    for (Peer p : initialPeers(raftPort)) {
      if (text.length() > 0) {
        text.append(',');
      }
      text.append(p.id()).append('=').append(p.raftAddress());
    }
    return text.toString();
  }

  private String podName(int podOrdinal) {
    return statefulSet + "-" + podOrdinal;
  }

  private static void requireLabel(String what, String value) {
    if (value == null || !DNS_LABEL.matcher(value).matches()) {
      throw new IllegalArgumentException(
          what
              + " '"
              + value
              + "' is invalid; use 1-63 lowercase letters, digits and '-'"
              + " (not at the ends)");
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }

  @Override
  public String toString() {
    return podName(ordinal)
        + " of "
        + statefulSet
        + " ("
        + initialMembers
        + " initial members, "
        + peerService
        + "."
        + namespace
        + ".svc."
        + clusterDomain
        + ")";
  }
}
