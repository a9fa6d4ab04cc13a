"""Resources shared by every stage: the run's settings, the work store and the executor."""

import dagster as dg
import polars as pl

from pipeline.executors import alliance_executor
from pipeline.lib.batches import read_states, unready_batches
from pipeline.lib.fingerprints import stage_fingerprints
from pipeline.lib.ingest.archive import RawArchive
from pipeline.lib.partitions import PARTITIONS_NAME
from pipeline.lib.settings import Settings
from pipeline.lib.storage import SortedCombination, WorkStore

# One partition per ingest batch (a top-level folder or file of the input folder).
ingest_batches = dg.DynamicPartitionsDefinition(name=PARTITIONS_NAME)


# The stage whose fingerprint a per-batch table is stored and reused under.
ASSET_STAGES = {
    "raw_documents": "ingest",
    "raw_quarantine": "ingest",
    "_clean_documents": "clean",
    "_sentences": "clean",
    "_clean_rejects": "clean",
    "_outlet_lines": "clean",
    "_nlp_shards": "entities",
    "_mentions": "entities",
    "_coded_documents": "events",
    "_event_candidates": "events",
}
_FINGERPRINT_KEY = b"alliance.stage_fingerprint"


def table_relative_path(asset: str, partition: str | None = None) -> str:
    """Where an asset's table (or one partition of it) is kept in the work store."""
    return f"tables/{asset}.parquet" if partition is None else f"tables/{asset}/{partition}.parquet"


def counts_by(frame: pl.DataFrame, column: str) -> dg.MetadataValue:
    """Materialisation metadata: how many rows have each value of ``column``."""
    return dg.MetadataValue.json(dict(frame.group_by(column).len().sort(column).iter_rows()))


class PipelineResource(dg.ConfigurableResource):
    """The run's settings. Defaults come from ``ALLIANCE_*`` variables; run config may override them."""

    input_dir: str | None = None
    output_dir: str | None = None
    work_url: str | None = None
    full_refresh: bool | None = None

    def settings(self) -> Settings:
        """The typed settings of this run."""
        return Settings.from_env(
            input_dir=self.input_dir,
            output_dir=self.output_dir,
            work_url=self.work_url,
            full_refresh=self.full_refresh,
        )

    def store(self) -> WorkStore:
        """The intermediate storage of this run."""
        return WorkStore(self.settings().resolved_work_url)

    def archive(self) -> RawArchive:
        """The raw archive of this run's work store."""
        return RawArchive(self.store())

    def fingerprints(self) -> dict[str, str]:
        """The current fingerprint of each per-batch stage."""
        return stage_fingerprints(self.settings())

    def provenance(self, asset: str) -> dict[bytes, bytes]:
        """The metadata stored with a table of ``asset``: its stage's fingerprint."""
        stage = ASSET_STAGES.get(asset)
        return {_FINGERPRINT_KEY: self.fingerprints()[stage].encode()} if stage else {}

    def previous(self, name: str, partition: str | None = None) -> pl.DataFrame | None:
        """The table of asset ``name`` (one partition of it) from an earlier run, when this run may
        build on it: no full refresh, and the table's stage fingerprint is still the current one."""
        if self.settings().full_refresh:
            return None
        store, relative = self.store(), table_relative_path(name, partition)
        stored = store.table_metadata(relative)
        if stored is None or stored.get(_FINGERPRINT_KEY) != self.provenance(name).get(_FINGERPRINT_KEY):
            return None
        return store.read_table(relative)

    def complete_partitions(self) -> list[str]:
        """Every archived batch, once each has run to the end with the current stage fingerprints.

        Fails while one of them is unfinished, failed, pending or stale, so that no release leaves
        out the rows of a batch, nor mixes two versions of the pipeline.
        """
        states = read_states(self.store())
        unready = unready_batches(states, self.fingerprints())
        if unready:
            listed = "; ".join(f"{key}: {why}" for key, why in list(unready.items())[:10])
            raise dg.Failure(
                f"{len(unready)} batches are not ready to publish ({listed}); "
                "run them (`alliance-events run` does) before publishing"
            )
        return sorted(states)

    def partition_tables(self, name: str) -> tuple[str, ...]:
        """Where the tables of asset ``name`` of every complete partition are stored."""
        return tuple(table_relative_path(name, key) for key in self.complete_partitions())

    def combined(self, name: str, schema: dict) -> pl.LazyFrame:
        """Asset ``name`` over every complete partition, as one lazily read table (``schema`` when
        there is none): a query over it reads only the columns and rows it needs."""
        store = self.store()
        frames = [store.scan_table(table_relative_path(name, key)) for key in self.complete_partitions()]
        if not frames:
            return pl.LazyFrame(schema=schema)
        return pl.concat(frames, how="vertical_relaxed")

    def combined_for_canonical(self, name: str, schema: dict, documents: pl.LazyFrame) -> pl.LazyFrame:
        """Asset ``name`` over every complete partition, for the canonical ones of ``documents``."""
        canonical = documents.filter(pl.col("duplicate_of").is_null()).select("doc_id")
        return self.combined(name, schema).join(canonical, on="doc_id", how="semi")


class WorkStoreIOManager(dg.IOManager):
    """Stores each Polars table in the work store: ``tables/<asset>[/<partition>].parquet``.

    An asset may return a SortedCombination of stored tables, which is written a key range at a
    time; an input annotated as ``pl.LazyFrame`` is scanned rather than read, so a step holds
    only what its queries need.
    """

    def __init__(self, pipeline: PipelineResource) -> None:
        self.pipeline = pipeline

    def _relative(self, context: dg.OutputContext | dg.InputContext) -> str:
        partition = context.asset_partition_key if context.has_asset_partitions else None
        return table_relative_path("__".join(context.asset_key.path), partition)

    def handle_output(self, context: dg.OutputContext, obj: pl.DataFrame | SortedCombination) -> None:
        relative, store = self._relative(context), self.pipeline.store()
        metadata = self.pipeline.provenance("__".join(context.asset_key.path))
        if isinstance(obj, SortedCombination):
            rows = store.write_combination(obj, relative, metadata)
        else:
            rows = store.write_table(obj, relative, metadata)
        context.add_output_metadata({"rows": rows, "path": relative})

    def load_input(self, context: dg.InputContext) -> pl.DataFrame:
        if context.has_asset_partitions and len(context.asset_partition_keys) != 1:
            raise ValueError(
                f"{context.asset_key.to_user_string()}: one partition per run is read here, "
                f"got {len(context.asset_partition_keys)}"
            )
        store = self.pipeline.store()
        if context.dagster_type.typing_type is pl.LazyFrame:
            return store.scan_table(self._relative(context))
        return store.read_table(self._relative(context))


@dg.io_manager(required_resource_keys={"pipeline"})
def work_store_io_manager(init_context: dg.InitResourceContext) -> WorkStoreIOManager:
    """The IO manager over the run's ``pipeline`` resource, run config included, so that a step on
    another machine stores and reads where the run says."""
    return WorkStoreIOManager(init_context.resources.pipeline)


@dg.definitions
def resources() -> dg.Definitions:
    """The resources every asset may ask for, and the executor of every job (chosen per run)."""
    return dg.Definitions(
        resources={"pipeline": PipelineResource(), "io_manager": work_store_io_manager},
        executor=alliance_executor,
    )
