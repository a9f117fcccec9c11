"""The dataset layer: schema, HDF5 shard writer, manifest, reader and splits (see ``docs/dataset_schema.md``).

Importing it loads numpy and h5py only (no TensorFlow, no Sionna).
"""

from __future__ import annotations

from rvsim.data.dataset import Dataset
from rvsim.data.dataset_writer import DatasetWriter, package_versions
from rvsim.data.manifest import Manifest, ShardInfo
from rvsim.data.schema import FORMAT, SCHEMA_VERSION, FieldSpec
from rvsim.data.shard_writer import write_shard_file
from rvsim.data.split import split_indices

__all__ = [
    "Dataset",
    "DatasetWriter",
    "write_shard_file",
    "split_indices",
    "FieldSpec",
    "ShardInfo",
    "Manifest",
    "SCHEMA_VERSION",
    "FORMAT",
    "package_versions",
]
