"""fuse stage: the same real-world event told by several documents becomes one record."""

from vigil.fuse.clusters import assign_clusters, cluster_id, events_match, locations_agree, pair_score
from vigil.fuse.duplicates import StoredDoc, band_keys, near_duplicates, signature, similarity
from vigil.fuse.records import (
    Report,
    cluster_status,
    compare_claims,
    independent_outlets,
    merge_cluster,
    merge_clusters,
)

__all__ = ["Report", "StoredDoc", "assign_clusters", "band_keys", "cluster_id", "cluster_status", "compare_claims",
           "events_match", "independent_outlets", "locations_agree", "merge_cluster", "merge_clusters",
           "near_duplicates", "pair_score", "signature", "similarity"]
