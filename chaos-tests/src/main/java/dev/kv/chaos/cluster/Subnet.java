package dev.kv.chaos.cluster;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Network;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A /24 for one cluster's network, chosen so it overlaps no network the engine already has (other
 * runs, other projects' networks). Pinning the subnet lets every node keep a fixed address.
 *
 * @param base the first address, as an int (a.b.c.0)
 */
record Subnet(int base) {
  /** Where candidates are looked for: 172.29.0.0/16 upwards, a range Docker does not pick first. */
  private static final int FIRST = address(172, 29, 0, 0);

  private static final int CANDIDATES = 512;

  static Subnet pickFree(DockerClient docker) {
    List<long[]> taken = new ArrayList<>();
    for (Network network : docker.listNetworksCmd().exec()) {
      if (network.getIpam() == null || network.getIpam().getConfig() == null) {
        continue;
      }
      for (Network.Ipam.Config config : network.getIpam().getConfig()) {
        if (config.getSubnet() != null && config.getSubnet().contains(".")) {
          taken.add(range(config.getSubnet()));
        }
      }
    }
    // Start at a pid-dependent offset, so two runs starting together rarely pick the same one.
    int start = (int) (ProcessHandle.current().pid() % CANDIDATES);
    for (int i = 0; i < CANDIDATES; i++) {
      Subnet candidate = new Subnet(FIRST + (((start + i) % CANDIDATES) << 8));
      long[] mine = range(candidate.cidr());
      if (taken.stream().noneMatch(r -> r[0] <= mine[1] && mine[0] <= r[1])) {
        return candidate;
      }
    }
    throw new IllegalStateException("no free /24 in 172.29.0.0-172.30.255.255 for a chaos network");
  }

  String cidr() {
    return host(0) + "/24";
  }

  /** The address with this last octet. */
  String host(int last) {
    int a = base + last;
    return ((a >>> 24) & 0xff) + "." + ((a >>> 16) & 0xff) + "." + ((a >>> 8) & 0xff) + "."
        + (a & 0xff);
  }

  private static int address(int a, int b, int c, int d) {
    return (a << 24) | (b << 16) | (c << 8) | d;
  }

  /** [first, last] of a CIDR, as unsigned longs. */
  static long[] range(String cidr) {
    Objects.requireNonNull(cidr, "cidr");
    String[] parts = cidr.split("/");
    String[] octets = parts[0].split("\\.");
    long ip = 0;
    for (String octet : octets) {
      ip = (ip << 8) | Integer.parseInt(octet);
    }
    int bits = parts.length > 1 ? Integer.parseInt(parts[1]) : 32;
    long size = 1L << (32 - bits);
    long first = ip & ~(size - 1) & 0xffffffffL;
    return new long[] {first, first + size - 1};
  }
}
