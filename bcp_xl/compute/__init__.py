"""Pure computations: DataFrame or dataclass in, DataFrame or dataclass out."""
