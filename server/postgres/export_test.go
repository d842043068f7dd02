package postgres

// MigrationsApplied returns how many migrations Open applied.
func MigrationsApplied(db *DB) int { return db.migrated }
