package dev.kv.chaos.cluster;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Network;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes the containers and networks of chaos runs whose JVM is gone (killed before it could
 * clean up), found by the owner label; never anything of a live run, and never anything without
 * the label.
 */
final class OrphanSweeper {
  private static final Logger LOG = LoggerFactory.getLogger(OrphanSweeper.class);

  private OrphanSweeper() {}

  static void sweep(DockerClient docker) {
    List<Container> containers =
        docker.listContainersCmd().withShowAll(true)
            .withLabelFilter(List.of(ChaosCluster.OWNER_LABEL)).exec();
    for (Container container : containers) {
      if (isOrphan(container.getLabels())) {
        LOG.info("removing container {} left by a dead chaos run", (Object) container.getNames());
        try {
          docker.removeContainerCmd(container.getId()).withForce(true).exec();
        } catch (RuntimeException e) {
          LOG.warn("could not remove {}: {}", container.getId(), e.toString());
        }
      }
    }
    for (Network network : docker.listNetworksCmd().exec()) {
      if (network.getLabels() != null && network.getLabels().containsKey(ChaosCluster.OWNER_LABEL)
          && isOrphan(network.getLabels())) {
        LOG.info("removing network {} left by a dead chaos run", network.getName());
        try {
          docker.removeNetworkCmd(network.getId()).exec();
        } catch (RuntimeException e) {
          LOG.warn("could not remove network {}: {}", network.getName(), e.toString());
        }
      }
    }
  }

  static boolean isOrphan(Map<String, String> labels) {
    String pid = labels == null ? null : labels.get(ChaosCluster.OWNER_LABEL);
    if (pid == null) {
      return false;
    }
    try {
      return ProcessHandle.of(Long.parseLong(pid)).map(p -> !p.isAlive()).orElse(true);
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
