// Package checkout gets a revision of a registered repository ready to
// test on a runner: one mirror per repository (`git clone --mirror`, then
// `git fetch` only when the revision is missing), a clean detached worktree
// per job at the revision, the repository's build command run in it with
// its own timeout and its output kept, and the commit actually checked out
// (`git rev-parse HEAD`) for the runner to report. For a bisection it also
// lists the first-parent history between two revisions.
//
// Git runs with explicit argv, never through a shell: every revision is a
// hex commit id (vcs.CheckRevision), every clone URL passed vcs.CheckCloneURL
// and follows "--", only the https, ssh and file transports are allowed
// (GIT_ALLOW_PROTOCOL), and git never prompts (GIT_TERMINAL_PROMPT=0).
//
// Layout under the cache directory: m/<hash of the clone URL> holds the
// mirrors, w/<name> the worktrees of running jobs (removed when the job
// ends, and all of them when a runner starts, since none can be in use
// then), logs/ the newest build logs. Disk use is the mirrors plus one
// worktree per running job.
//
// On Windows git is Git for Windows (git.exe on PATH, or under Program
// Files); worktree paths are Windows paths, which it accepts, and
// core.longpaths is set so deep trees check out.
package checkout
