"""fuse stage: the same real-world event told by several documents becomes one record."""

from vigil.fuse.clusters import assign_clusters, events_match
from vigil.fuse.duplicates import near_duplicates
from vigil.fuse.records import independent_outlets, merge_cluster, merge_clusters

__all__ = ["assign_clusters", "events_match", "independent_outlets", "merge_cluster", "merge_clusters",
           "near_duplicates"]
