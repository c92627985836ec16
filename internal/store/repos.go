package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/triaged/triaged/internal/repo"
)

const repoColumns = `repo, clone_url, build, build_timeout, test_command, language, created_at, updated_at`

var scanRepo = pgx.RowToStructByName[repo.Repo]

// SaveRepo registers a validated repository, or updates its registration;
// created says which.
func (s *Store) SaveRepo(ctx context.Context, r repo.Repo) (saved repo.Repo, created bool, err error) {
	rows, _ := s.pool.Query(ctx, `
		INSERT INTO repos (repo, clone_url, build, build_timeout, test_command, language)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (repo) DO UPDATE SET clone_url = excluded.clone_url, build = excluded.build,
			build_timeout = excluded.build_timeout, test_command = excluded.test_command,
			language = excluded.language, updated_at = now()
		RETURNING `+repoColumns+`, (xmax = 0) AS created`,
		r.Repo, r.CloneURL, r.Build, r.BuildTimeout, r.TestCommand, r.Language)
	type row struct {
		repo.Repo
		Created bool `db:"created"`
	}
	got, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[row])
	if err != nil {
		return repo.Repo{}, false, fmt.Errorf("save repo %s: %w", r.Repo, translate(err))
	}
	return got.Repo, got.Created, nil
}

// Repos lists the registered repositories by name.
func (s *Store) Repos(ctx context.Context) ([]repo.Repo, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+repoColumns+` FROM repos ORDER BY repo`)
	rs, err := pgx.CollectRows(rows, scanRepo)
	if err != nil {
		return nil, fmt.Errorf("list repos: %w", err)
	}
	return rs, nil
}

// RepoByName returns a registered repository, or ErrNotFound.
func (s *Store) RepoByName(ctx context.Context, name string) (repo.Repo, error) {
	return repoByName(ctx, s.pool, name)
}

func repoByName(ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, name string) (repo.Repo, error) {
	rows, _ := q.Query(ctx, `SELECT `+repoColumns+` FROM repos WHERE repo = $1`, name)
	r, err := pgx.CollectExactlyOneRow(rows, scanRepo)
	if err != nil {
		return repo.Repo{}, fmt.Errorf("repo %s: %w", name, translate(err))
	}
	return r, nil
}
