//! Storage behind traits: sqlx over SQLite and PostgreSQL, blobs in object storage
