-- pgvector for embeddings (similar cases, duplicates); pgcrypto is not needed: sha256() is core.
CREATE EXTENSION IF NOT EXISTS vector;
