package plugin

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"

	"studio/internal/domain/manifest"
)

const remoteName = "origin"

// refSpecs fetch every branch (as origin/<branch>) and every tag, so that a
// later pin needs no network when the ref is already known.
var refSpecs = []config.RefSpec{
	"+refs/heads/*:refs/remotes/origin/*",
	"+refs/tags/*:refs/tags/*",
}

// fetchGit clones the plugin, or updates a copy of its current clone, in a
// work folder, checks out ref and swaps the result in.
func (p place) fetchGit(ctx context.Context, s source, ref string) (Info, *manifest.Manifest, error) {
	what := fmt.Sprintf("data plugin %s (%s)", p.name, s.shown)
	tmp, err := p.tempDir()
	if err != nil {
		return Info{}, nil, fmt.Errorf("%s: making a work folder: %w", what, err)
	}
	defer os.RemoveAll(tmp) // gone already after a successful swap

	repo, err := p.prepareRepo(ctx, tmp, s.fetchURL, what)
	if err != nil {
		return Info{}, nil, err
	}
	defaultBranch, err := p.download(ctx, repo, tmp, s.shown, what)
	if err != nil {
		return Info{}, nil, err
	}
	hash, branch, err := resolveRef(repo, ref, defaultBranch, s.shown)
	if err != nil {
		return Info{}, nil, err
	}
	rec := record{Type: TypeGit, URL: s.shown, Key: s.key(), Ref: ref, DefaultBranch: defaultBranch}
	m, err := p.install(ctx, repo, tmp, hash, branch, rec, what)
	if err != nil {
		return Info{}, nil, err
	}
	info, err := p.describe()
	return info, m, err
}

// prepareRepo makes the work repository in tmp: a copy of the current clone
// when there is one (the fetch then only brings what is new), otherwise an
// empty repository. Its origin is set to fetchURL either way, so that new
// credentials given at re-registration are used.
func (p place) prepareRepo(ctx context.Context, tmp, fetchURL, what string) (*git.Repository, error) {
	var (
		repo *git.Repository
		err  error
	)
	if ok, _ := p.exists(); ok {
		if err := copyTree(ctx, p.folder, tmp, p.f.MaxBytes, what, nil); err != nil {
			return nil, fmt.Errorf("%s: copying the current clone: %w", what, err)
		}
		if repo, err = git.PlainOpen(tmp); err != nil {
			return nil, fmt.Errorf("%s: the current folder %s is not a usable git clone (%v): unregister the plugin and register it again", what, p.folder, err)
		}
	} else if repo, err = git.PlainInit(tmp, false); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	cfg, err := repo.Config()
	if err != nil {
		return nil, fmt.Errorf("%s: reading the clone's configuration: %w", what, err)
	}
	cfg.Remotes[remoteName] = &config.RemoteConfig{Name: remoteName, URLs: []string{fetchURL}, Fetch: refSpecs}
	if err := repo.SetConfig(cfg); err != nil {
		return nil, fmt.Errorf("%s: writing the clone's configuration: %w", what, err)
	}
	return repo, nil
}

// download asks the remote for its default branch, then fetches every
// branch and tag into repo, watching the size of tmp as it grows.
func (p place) download(ctx context.Context, repo *git.Repository, tmp, shown, what string) (string, error) {
	remote, err := repo.Remote(remoteName)
	if err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	ctx, stop := watchSize(ctx, tmp, p.f.MaxBytes, what)
	refs, err := remote.ListContext(ctx, &git.ListOptions{})
	if err == nil {
		err = remote.FetchContext(ctx, &git.FetchOptions{
			RemoteName: remoteName,
			RefSpecs:   refSpecs,
			Tags:       git.NoTags, // the tag refspec above brings them all
			Force:      true,
			Prune:      true,
			Progress:   p.f.Progress,
		})
	}
	if big := stop(); big != nil {
		return "", big
	}
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return "", gitError(err, shown)
	}
	for _, r := range refs {
		if r.Name() == plumbing.HEAD && r.Type() == plumbing.SymbolicReference && r.Target().IsBranch() {
			return r.Target().Short(), nil
		}
	}
	return "", nil
}

// gitError says what went wrong talking to a remote and what to do.
func gitError(err error, shown string) error {
	switch {
	case errors.Is(err, transport.ErrRepositoryNotFound):
		return failf(ErrInvalidSource, "no git repository at %s: check the URL, and that you may read it", shown)
	case errors.Is(err, transport.ErrEmptyRemoteRepository):
		return failf(ErrInvalidSource, "the repository %s is empty: push a commit with the plugin's manifest first", shown)
	case errors.Is(err, transport.ErrAuthenticationRequired), errors.Is(err, transport.ErrAuthorizationFailed), errors.Is(err, transport.ErrInvalidAuthMethod):
		return fmt.Errorf("fetching %s: %v: give credentials (https://user:token@host/..., or an ssh URL with a key loaded in ssh-agent)", shown, err)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("fetching %s was interrupted: %w", shown, err)
	case strings.HasPrefix(strings.ToLower(shown), "ssh://") || scpLike.MatchString(shown):
		return fmt.Errorf("fetching %s: %v: check the URL, that ssh-agent holds a key this host accepts (SSH_AUTH_SOCK), and that the host is in ~/.ssh/known_hosts", shown, err)
	default:
		return fmt.Errorf("fetching %s: %v: check the URL and the network", shown, err)
	}
}

// install checks out hash in the work repository (on branch, or detached
// when branch is ""), checks the tree and the manifest, records the source
// and swaps the work folder in.
func (p place) install(ctx context.Context, repo *git.Repository, tmp string, hash plumbing.Hash, branch string, rec record, what string) (*manifest.Manifest, error) {
	w, err := repo.Worktree()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	opts := &git.CheckoutOptions{Hash: hash, Force: true}
	if branch != "" {
		name := plumbing.NewBranchReferenceName(branch)
		if err := repo.Storer.SetReference(plumbing.NewHashReference(name, hash)); err != nil {
			return nil, fmt.Errorf("%s: setting branch %s: %w", what, branch, err)
		}
		opts = &git.CheckoutOptions{Branch: name, Force: true}
	}
	if err := w.Checkout(opts); err != nil {
		return nil, fmt.Errorf("%s: checking out %s: %w", what, hash, err)
	}
	if err := checkTree(tmp, p.f.MaxBytes, what); err != nil {
		return nil, err
	}
	m, err := p.loadManifest(ctx, tmp, rec.URL)
	if err != nil {
		return nil, err
	}
	if err := writeRecord(tmp, rec); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return m, p.swapIn(tmp)
}

// checkout pins the registered git plugin to ref.
func (p place) checkout(ctx context.Context, ref string) (Info, *manifest.Manifest, error) {
	if ok, err := p.exists(); err != nil || !ok {
		return Info{}, nil, p.notRegistered(err)
	}
	rec, _, err := readRecord(p.folder)
	if err != nil {
		return Info{}, nil, fmt.Errorf("data plugin %s: %w", p.name, err)
	}
	if _, err := os.Stat(filepath.Join(p.folder, ".git")); err != nil {
		return Info{}, nil, failf(ErrInvalidSource, "data plugin %s is a local folder (%s): it has no versions to pin; register it again to copy it anew", p.name, rec.URL)
	}
	shown := rec.URL
	if shown == "" {
		shown = Redact(p.originURL())
		rec = record{Type: TypeGit, URL: shown}
		if s, err := parseSourceQuiet(p.originURL()); err == nil {
			rec.Key = s.key()
		}
	}
	if err := checkRefName(ref, shown); err != nil {
		return Info{}, nil, err
	}
	what := fmt.Sprintf("data plugin %s (%s)", p.name, shown)
	tmp, err := p.tempDir()
	if err != nil {
		return Info{}, nil, fmt.Errorf("%s: making a work folder: %w", what, err)
	}
	defer os.RemoveAll(tmp)
	if err := copyTree(ctx, p.folder, tmp, p.f.MaxBytes, what, nil); err != nil {
		return Info{}, nil, fmt.Errorf("%s: copying the current clone: %w", what, err)
	}
	repo, err := git.PlainOpen(tmp)
	if err != nil {
		return Info{}, nil, fmt.Errorf("%s: the folder %s is not a usable git clone (%v): unregister the plugin and register it again", what, p.folder, err)
	}
	hash, branch, err := resolveRef(repo, ref, rec.DefaultBranch, shown)
	if errors.Is(err, ErrRefNotFound) {
		// Unknown here: the remote may have it now.
		if rec.DefaultBranch, err = p.download(ctx, repo, tmp, shown, what); err != nil {
			return Info{}, nil, err
		}
		hash, branch, err = resolveRef(repo, ref, rec.DefaultBranch, shown)
	}
	if err != nil {
		return Info{}, nil, err
	}
	rec.Ref = ref
	m, err := p.install(ctx, repo, tmp, hash, branch, rec, what)
	if err != nil {
		return Info{}, nil, err
	}
	info, err := p.describe()
	return info, m, err
}

func (p place) notRegistered(err error) error {
	if err != nil {
		return fmt.Errorf("data plugin %s: %w", p.name, err)
	}
	return failf(ErrNotRegistered, "data plugin %s has no folder %s: register it first", p.name, p.folder)
}

// describe reads the plugin folder's Info.
func (p place) describe() (Info, error) {
	if ok, err := p.exists(); err != nil || !ok {
		return Info{}, p.notRegistered(err)
	}
	rec, _, err := readRecord(p.folder)
	if err != nil {
		return Info{}, fmt.Errorf("data plugin %s: %w", p.name, err)
	}
	info := Info{Name: p.name, Folder: p.folder, URL: rec.URL, Ref: rec.Ref}
	if _, err := os.Stat(filepath.Join(p.folder, ".git")); err != nil {
		info.Type, info.Release = TypeLocal, "local"
		return info, nil
	}
	info.Type = TypeGit
	repo, err := git.PlainOpen(p.folder)
	if err != nil {
		return Info{}, fmt.Errorf("data plugin %s: %s is not a usable git clone: %w", p.name, p.folder, err)
	}
	head, err := repo.Head()
	if err != nil {
		return Info{}, fmt.Errorf("data plugin %s: reading HEAD of %s: %w", p.name, p.folder, err)
	}
	info.Commit = head.Hash().String()
	if head.Name().IsBranch() {
		info.Branch = head.Name().Short()
	}
	if info.URL == "" {
		info.URL = Redact(p.originURL())
	}
	info.Release = release(info)
	return info, nil
}

// release is what src_dump.download.release records: "<ref> <short hash>",
// the ref being what was asked, or the branch for the default branch.
func release(info Info) string {
	short := info.Commit[:7]
	label := info.Ref
	if label == "" {
		label = info.Branch
	}
	if label == "" {
		return short
	}
	return label + " " + short
}

// originURL is the URL the clone fetches from, credentials included; "" when
// there is none.
func (p place) originURL() string {
	repo, err := git.PlainOpen(p.folder)
	if err != nil {
		return ""
	}
	r, err := repo.Remote(remoteName)
	if err != nil || len(r.Config().URLs) == 0 {
		return ""
	}
	return r.Config().URLs[0]
}

// resolveRef finds ref in repo: a branch of the remote, then a tag, then a
// commit hash (full or at least 4 hex digits). It returns the commit and the
// branch to check out ("" to detach).
func resolveRef(repo *git.Repository, ref, defaultBranch, shown string) (plumbing.Hash, string, error) {
	if ref == "" {
		if defaultBranch == "" {
			return plumbing.ZeroHash, "", failf(ErrRefNotFound, "%s names no default branch (its HEAD points nowhere): give a branch, tag or commit", shown)
		}
		if r, err := repo.Reference(plumbing.NewRemoteReferenceName(remoteName, defaultBranch), true); err == nil {
			return r.Hash(), defaultBranch, nil
		}
		return plumbing.ZeroHash, "", failf(ErrRefNotFound, "default branch %q not found in %s", defaultBranch, shown)
	}
	if r, err := repo.Reference(plumbing.NewRemoteReferenceName(remoteName, ref), true); err == nil {
		return r.Hash(), ref, nil
	}
	if r, err := repo.Reference(plumbing.NewTagReferenceName(ref), true); err == nil {
		h, err := peelTag(repo, r.Hash())
		if err != nil {
			return plumbing.ZeroHash, "", fmt.Errorf("tag %q of %s: %w", ref, shown, err)
		}
		return h, "", nil
	}
	if isHex(ref) && len(ref) >= 4 && len(ref) <= 40 {
		h, err := findCommit(repo, strings.ToLower(ref), shown)
		if h != plumbing.ZeroHash || err != nil {
			return h, "", err
		}
	}
	return plumbing.ZeroHash, "", failf(ErrRefNotFound, "ref %q not found in %s: no branch, tag or commit of that name%s", ref, shown, knownRefs(repo))
}

// peelTag follows an annotated tag to its commit.
func peelTag(repo *git.Repository, h plumbing.Hash) (plumbing.Hash, error) {
	for range 10 {
		tag, err := repo.TagObject(h)
		if err != nil {
			break // a lightweight tag names the commit itself
		}
		if tag.TargetType != plumbing.CommitObject && tag.TargetType != plumbing.TagObject {
			return plumbing.ZeroHash, fmt.Errorf("it tags a %s, not a commit", tag.TargetType)
		}
		h = tag.Target
	}
	if _, err := repo.CommitObject(h); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("it does not lead to a commit: %w", err)
	}
	return h, nil
}

// findCommit finds the commit whose hash starts with prefix; ZeroHash and no
// error when there is none.
func findCommit(repo *git.Repository, prefix, shown string) (plumbing.Hash, error) {
	if len(prefix) == 40 {
		if c, err := repo.CommitObject(plumbing.NewHash(prefix)); err == nil {
			return c.Hash, nil
		}
		return plumbing.ZeroHash, nil
	}
	iter, err := repo.CommitObjects()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	var found []plumbing.Hash
	err = iter.ForEach(func(c *object.Commit) error {
		if strings.HasPrefix(c.Hash.String(), prefix) {
			found = append(found, c.Hash)
		}
		return nil
	})
	if err != nil {
		return plumbing.ZeroHash, err
	}
	switch len(found) {
	case 0:
		return plumbing.ZeroHash, nil
	case 1:
		return found[0], nil
	}
	names := make([]string, len(found))
	for i, h := range found {
		names[i] = h.String()[:12]
	}
	sort.Strings(names)
	return plumbing.ZeroHash, failf(ErrRefNotFound, "commit %q is ambiguous in %s: it starts %s; give more hex digits", prefix, shown, strings.Join(names, ", "))
}

// knownRefs lists a few branches and tags, to help with a typo.
func knownRefs(repo *git.Repository) string {
	var branches, tags []string
	iter, err := repo.References()
	if err != nil {
		return ""
	}
	_ = iter.ForEach(func(r *plumbing.Reference) error {
		switch n := r.Name(); {
		case n.IsRemote() && strings.HasPrefix(n.String(), "refs/remotes/"+remoteName+"/") && n.Short() != remoteName+"/HEAD":
			branches = append(branches, strings.TrimPrefix(n.String(), "refs/remotes/"+remoteName+"/"))
		case n.IsTag():
			tags = append(tags, n.Short())
		}
		return nil
	})
	if len(branches)+len(tags) == 0 {
		return ""
	}
	return fmt.Sprintf(" (branches: %s; tags: %s)", listSome(branches), listSome(tags))
}

func listSome(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	sort.Strings(names)
	if len(names) > 10 {
		return strings.Join(names[:10], ", ") + fmt.Sprintf(" and %d more", len(names)-10)
	}
	return strings.Join(names, ", ")
}

func isHex(s string) bool {
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return s != ""
}

// checkRefName refuses what git refuses as a branch or tag name (see git
// check-ref-format): the ref becomes a path under .git/refs, so "../x" must
// never get that far.
func checkRefName(ref, shown string) error {
	if ref == "" {
		return nil
	}
	bad := len(ref) > 255 || ref == "@" ||
		strings.HasPrefix(ref, "-") || strings.HasPrefix(ref, "/") ||
		strings.HasSuffix(ref, "/") || strings.HasSuffix(ref, ".") || strings.HasSuffix(ref, ".lock") ||
		strings.Contains(ref, "..") || strings.Contains(ref, "//") || strings.Contains(ref, "@{") ||
		strings.ContainsAny(ref, " ~^:?*[\\")
	for _, c := range ref {
		if c < 0x20 || c == 0x7f {
			bad = true
		}
	}
	for _, part := range strings.Split(ref, "/") {
		if strings.HasPrefix(part, ".") {
			bad = true
		}
	}
	if bad {
		return failf(ErrInvalidSource, "%q is not a valid branch, tag or commit name (for %s)", ref, shown)
	}
	return nil
}
