package release

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Options says what to build and where.
type Options struct {
	// Root is the checkout to release: its .goreleaser.yml, terraform-registry-manifest.json and commit.
	Root string
	// Source is where the go build runs and the zips' extra files come from; empty means Root. A copy of
	// Root at another path proves that the path does not reach the artifacts.
	Source string
	// Out is the folder the artifacts go to; it is created.
	Out string
	// Version is the release's version, without a leading v.
	Version string
	// Platforms limits the build to some of the configuration's platforms; empty means all of them.
	Platforms []Platform
	// Env is added to the go build's environment of the platforms it names, for a GOCACHE of their own.
	Env map[Platform][]string
	// Signer signs the checksum file.
	Signer *Signer
}

func (o Options) source() string {
	if o.Source == "" {
		return o.Root
	}
	return o.Source
}

// Artifacts names what Build wrote, by file name inside Dir.
type Artifacts struct {
	Dir       string
	Version   string
	Zips      map[Platform]string
	Manifest  string
	Sums      string
	Signature string
}

// Build builds, zips, sums and signs the release for every platform of the configuration, as GoReleaser
// would: CGO off, the configuration's flags and ldflags, and every time stored in a zip the commit's, so two
// builds of one commit are the same bytes.
func Build(ctx context.Context, o Options) (*Artifacts, error) {
	cfg, err := LoadConfig(filepath.Join(o.Root, ".goreleaser.yml"))
	if err != nil {
		return nil, err
	}
	commit, when, err := headCommit(ctx, o.Root)
	if err != nil {
		return nil, err
	}
	v := vars{
		ProjectName:     cfg.ProjectName,
		Version:         o.Version,
		Commit:          commit,
		CommitTimestamp: when.Unix(),
		CommitDate:      when.UTC().Format(time.RFC3339),
		Env:             map[string]string{},
	}
	platforms := cfg.Platforms()
	if len(o.Platforms) > 0 {
		for _, p := range o.Platforms {
			if !slices.Contains(platforms, p) {
				return nil, fmt.Errorf("%s is not a platform of .goreleaser.yml", p)
			}
		}
		platforms = o.Platforms
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return nil, err
	}
	a := &Artifacts{Dir: o.Out, Version: o.Version, Zips: map[Platform]string{}}
	sums := map[string][]byte{}
	bin, err := os.MkdirTemp("", "gdpr-release-bin")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(bin)
	for _, p := range platforms {
		pv := v
		pv.Os, pv.Arch = p.OS, p.Arch
		name, err := buildZip(ctx, cfg, o, pv, bin, when)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		a.Zips[p] = name
		if sums[name], err = fileSum(filepath.Join(o.Out, name)); err != nil {
			return nil, err
		}
	}
	for _, f := range cfg.Checksum.ExtraFiles {
		name, err := render(f.NameTemplate, v)
		if err != nil {
			return nil, err
		}
		b, err := os.ReadFile(filepath.Join(o.Root, f.Glob))
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(o.Out, name), b, 0o644); err != nil {
			return nil, err
		}
		sum := sha256.Sum256(b)
		sums[name] = sum[:]
		if f.Glob == "terraform-registry-manifest.json" {
			a.Manifest = name
		}
	}
	if a.Sums, err = render(cfg.Checksum.NameTemplate, v); err != nil {
		return nil, err
	}
	doc := SumsFile(sums)
	if err := os.WriteFile(filepath.Join(o.Out, a.Sums), doc, 0o644); err != nil {
		return nil, err
	}
	sig, err := o.Signer.DetachSign(doc)
	if err != nil {
		return nil, err
	}
	a.Signature = signatureName(cfg.Signs[0], a.Sums)
	return a, os.WriteFile(filepath.Join(o.Out, a.Signature), sig, 0o644)
}

// signatureName is GoReleaser's: the signs entry's template, by default the artifact's name and .sig.
func signatureName(s sign, artifact string) string {
	if s.Signature == "" {
		return artifact + ".sig"
	}
	return strings.ReplaceAll(s.Signature, "${artifact}", artifact)
}

// buildZip builds one platform's binary into bin and zips it into o.Out, returning the zip's name.
func buildZip(ctx context.Context, cfg *Config, o Options, v vars, bin string, when time.Time) (string, error) {
	b := cfg.Builds[0]
	binary, err := render(b.Binary, v)
	if err != nil {
		return "", err
	}
	if v.Os == "windows" {
		binary += ".exe"
	}
	var ldflags []string
	for _, l := range b.Ldflags {
		s, err := render(l, v)
		if err != nil {
			return "", err
		}
		ldflags = append(ldflags, s)
	}
	path := filepath.Join(bin, v.Os+"_"+v.Arch, binary)
	args := append([]string{"build"}, b.Flags...)
	args = append(args, "-ldflags="+strings.Join(ldflags, " "), "-o", path, ".")
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = o.source()
	// The version and commit reach the binary through ldflags; the VCS stamp Go would add as well depends on
	// whether the checkout has uncommitted files, which a release build never has and a rehearsal may.
	cmd.Env = append(os.Environ(), "GOOS="+v.Os, "GOARCH="+v.Arch, "GOFLAGS=-buildvcs=false")
	cmd.Env = append(append(cmd.Env, b.Env...), o.Env[Platform{OS: v.Os, Arch: v.Arch}]...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out.String())
	}
	name, err := render(cfg.Archives[0].NameTemplate, v)
	if err != nil {
		return "", err
	}
	name += ".zip"
	files := []zipEntry{{name: binary, src: path, mode: 0o755, modified: when}}
	for _, f := range cfg.Archives[0].Files {
		mtime, err := render(f.Info.Mtime, v)
		if err != nil {
			return "", err
		}
		t, err := time.Parse(time.RFC3339, mtime)
		if err != nil {
			return "", fmt.Errorf("archive file %s: info.mtime %q: %w", f.Src, mtime, err)
		}
		files = append(files, zipEntry{name: f.Src, src: filepath.Join(o.source(), f.Src), mode: fs.FileMode(f.Info.Mode), modified: t})
	}
	return name, writeZip(filepath.Join(o.Out, name), files)
}

type zipEntry struct {
	name, src string
	mode      fs.FileMode
	modified  time.Time
}

// writeZip stores the entries in the order given, each with its own time and mode and nothing of the
// machine's (owner, umask, the time of the build).
func writeZip(path string, entries []zipEntry) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	zw := zip.NewWriter(f)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: e.modified.UTC()}
		h.SetMode(e.mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		src, err := os.Open(e.src)
		if err != nil {
			return err
		}
		_, err = io.Copy(w, src)
		src.Close()
		if err != nil {
			return err
		}
	}
	return zw.Close()
}

// SumsFile is a checksum file as sha256sum writes it and the registry reads it: one "HASH  NAME" line per
// file, sorted by name.
func SumsFile(sums map[string][]byte) []byte {
	var b bytes.Buffer
	for _, name := range slices.Sorted(maps.Keys(sums)) {
		fmt.Fprintf(&b, "%s  %s\n", hex.EncodeToString(sums[name]), name)
	}
	return b.Bytes()
}

func fileSum(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

// headCommit returns the checkout's commit and its commit time, GoReleaser's .Commit and .CommitTimestamp.
func headCommit(ctx context.Context, root string) (string, time.Time, error) {
	out, err := exec.CommandContext(ctx, "git", "-C", root, "log", "-1", "--format=%H %ct").Output()
	if err != nil {
		return "", time.Time{}, fmt.Errorf("reading the commit of %s: %w", root, err)
	}
	hash, ts, ok := strings.Cut(strings.TrimSpace(string(out)), " ")
	sec, perr := strconv.ParseInt(ts, 10, 64)
	if !ok || perr != nil {
		return "", time.Time{}, fmt.Errorf("reading the commit of %s: unexpected git output %q", root, out)
	}
	return hash, time.Unix(sec, 0), nil
}
