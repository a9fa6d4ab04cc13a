"""Resources shared by every stage: the run's settings and the intermediate-table storage."""

from pathlib import Path

import dagster as dg
import polars as pl

from pipeline.lib.settings import Settings
from pipeline.lib.state import provenance, reusable_table, write_table


class PipelineResource(dg.ConfigurableResource):
    """The run's settings. Defaults come from ``ALLIANCE_*`` variables; run config may override them."""

    input_dir: str | None = None
    output_dir: str | None = None
    full_refresh: bool | None = None

    def settings(self) -> Settings:
        """The typed settings of this run."""
        return Settings.from_env(
            input_dir=self.input_dir, output_dir=self.output_dir, full_refresh=self.full_refresh
        )

    def table_path(self, name: str) -> Path:
        """Where the intermediate table of asset ``name`` is stored."""
        return self.settings().resolved_work_dir / "tables" / f"{name}.parquet"

    def previous(self, name: str) -> pl.DataFrame | None:
        """The table asset ``name`` stored in an earlier run, when this run may build on it."""
        return reusable_table(self.table_path(name), self.settings())


class ParquetFrameIOManager(dg.ConfigurableIOManager):
    """Stores each intermediate Polars table as ``<work_dir>/<asset>.parquet``."""

    pipeline: PipelineResource

    def _path(self, key: dg.AssetKey) -> Path:
        return self.pipeline.table_path("__".join(key.path))

    def handle_output(self, context: dg.OutputContext, obj: pl.DataFrame) -> None:
        path = self._path(context.asset_key)
        write_table(obj, path, provenance(self.pipeline.settings()))
        context.add_output_metadata({"rows": obj.height, "path": str(path)})

    def load_input(self, context: dg.InputContext) -> pl.DataFrame:
        return pl.read_parquet(self._path(context.asset_key))


@dg.definitions
def resources() -> dg.Definitions:
    """The resources every asset may ask for."""
    pipeline = PipelineResource()
    return dg.Definitions(
        resources={"pipeline": pipeline, "io_manager": ParquetFrameIOManager(pipeline=pipeline)},
    )
