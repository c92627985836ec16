// Package migrations holds triaged's database schema as numbered SQL files,
// embedded in the binary so that a server can always bring its database up to
// the schema it was built for. The files are the truth about the data model;
// internal/store applies them.
package migrations

import "embed"

// FS holds the migration files, named NNNNN_description.sql in goose's format.
//
//go:embed *.sql
var FS embed.FS
