"""Resources shared by every stage: the run's settings and the intermediate-table storage."""

from pathlib import Path

import dagster as dg
import polars as pl

from pipeline.lib.settings import Settings


class PipelineResource(dg.ConfigurableResource):
    """The run's settings. Defaults come from ``ALLIANCE_*`` variables; run config may override folders."""

    input_dir: str | None = None
    output_dir: str | None = None

    def settings(self) -> Settings:
        """The typed settings of this run."""
        return Settings.from_env(input_dir=self.input_dir, output_dir=self.output_dir)


class ParquetFrameIOManager(dg.ConfigurableIOManager):
    """Stores each intermediate Polars table as ``<work_dir>/<asset>.parquet``."""

    pipeline: PipelineResource

    def _path(self, key: dg.AssetKey) -> Path:
        return self.pipeline.settings().resolved_work_dir / "tables" / ("__".join(key.path) + ".parquet")

    def handle_output(self, context: dg.OutputContext, obj: pl.DataFrame) -> None:
        path = self._path(context.asset_key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".parquet.tmp")
        obj.write_parquet(temporary, compression="zstd")
        temporary.replace(path)
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
