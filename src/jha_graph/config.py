"""Settings: the one place configuration is read (environment variables prefixed ``JHA_``, or .env).

>>> Settings(base_iri="http://localhost:8000/").base_iri
'http://localhost:8000/'
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .namespaces import DEFAULT_BASE, Minter

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JHA_", env_file=".env", extra="ignore")

    base_iri: str = Field(DEFAULT_BASE, description="Base under which the graph's IRIs are minted")
    store: str = Field("var/store", description="Store directory, or an http(s) URL of a SPARQL endpoint")
    update_url: str | None = Field(None, description="SPARQL Update URL of a remote store (default: the query URL)")
    gsp_url: str | None = Field(None, description="Graph Store Protocol URL of a remote store")
    remote_user: str | None = None
    remote_password: str | None = None
    remote_timeout: float = 60.0
    remote_retries: int = 3
    remote_batch_size: int = 50

    reference_dir: Path = PROJECT_ROOT / "data" / "reference"
    ontology_dir: Path = PROJECT_ROOT / "ontology"
    queries_dir: Path = PROJECT_ROOT / "queries"
    max_article_bytes: int = 5_000_000

    host: str = "127.0.0.1"
    port: int = 8000
    query_timeout: float = Field(30.0, description="Seconds a SPARQL query may run before it is abandoned")
    max_results: int = Field(10_000, description="Rows (or triples) a SPARQL answer may hold; a larger one is refused (422), never cut")
    max_body_bytes: int = 1_000_000
    sparql_cache_mb: float = Field(64.0, ge=0, description="Memory for the answers /sparql keeps for repeated "
                                                             "queries, per server process, until the store changes; "
                                                             "0 keeps none")
    update_token: str | None = Field(None, description="Bearer token that enables SPARQL Update; none = read-only")
    cors_origins: list[str] = Field(default_factory=lambda: ["*"])
    query_workers: int = Field(4, description="Worker processes for the clients' SPARQL (/sparql); "
                                              "`serve --workers N` shares them among its N processes, 2 at least each")
    api_workers: int | None = Field(None, description="Worker processes for the server's own queries (JSON API, "
                                                      "pages, linked data); none: as many as query_workers")

    @field_validator("base_iri")
    @classmethod
    def _base_ends_with_slash(cls, value: str) -> str:
        return value if value.endswith(("/", "#")) else value + "/"

    @property
    def minter(self) -> Minter:
        return Minter(self.base_iri)

    @property
    def is_remote(self) -> bool:
        return self.store.startswith(("http://", "https://"))


@lru_cache
def get_settings() -> Settings:
    return Settings()
