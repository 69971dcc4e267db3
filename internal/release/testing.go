package release

import (
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest/testca"
)

// Namespace and Type name the provider in the local registry as the public one will: gdpr-immutable/gdpr.
const (
	Namespace = "gdpr-immutable"
	Type      = "gdpr"
)

// PublicKey is the signing key a registry hands out with a download, as the protocol's gpg_public_keys.
type PublicKey struct {
	KeyID      string `json:"key_id"`
	ASCIIArmor string `json:"ascii_armor"`
}

// Load finds the artifacts of version in dir by the names .goreleaser.yml in root gives them, as a
// registry would be given them by the release.
func Load(root, dir, version string) (*Artifacts, error) {
	cfg, err := LoadConfig(filepath.Join(root, ".goreleaser.yml"))
	if err != nil {
		return nil, err
	}
	v := vars{ProjectName: cfg.ProjectName, Version: version, Env: map[string]string{}}
	a := &Artifacts{Dir: dir, Version: version, Zips: map[Platform]string{}}
	for _, p := range cfg.Platforms() {
		pv := v
		pv.Os, pv.Arch = p.OS, p.Arch
		name, err := render(cfg.Archives[0].NameTemplate, pv)
		if err != nil {
			return nil, err
		}
		a.Zips[p] = name + ".zip"
	}
	if a.Sums, err = render(cfg.Checksum.NameTemplate, v); err != nil {
		return nil, err
	}
	a.Signature = signatureName(cfg.Signs[0], a.Sums)
	for _, f := range cfg.Checksum.ExtraFiles {
		if f.Glob == "terraform-registry-manifest.json" {
			if a.Manifest, err = render(f.NameTemplate, v); err != nil {
				return nil, err
			}
		}
	}
	for _, name := range append(a.names(), a.Sums, a.Signature, a.Manifest) {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			return nil, fmt.Errorf("the release of %s in %s is incomplete: %w", version, dir, err)
		}
	}
	return a, nil
}

func (a *Artifacts) names() []string {
	var names []string
	for _, name := range a.Zips {
		names = append(names, name)
	}
	return names
}

// Registry serves one release over HTTPS on loopback, speaking the provider registry protocol
// (developer.hashicorp.com/terraform/internals/provider-registry-protocol): service discovery, the versions
// and each platform's download, with the signing key. Its certificate comes from a CA made for it, which
// CAFile holds for SSL_CERT_FILE.
type Registry struct {
	// Host is the registry's host and port, the first part of a provider source address.
	Host   string
	CAFile string

	artifacts *Artifacts
	key       PublicKey
	protocols []string

	mu       sync.Mutex
	replaced map[string][]byte
}

// NewRegistry starts a registry for the artifacts, handing out key as their signing key, and stops it
// when the test ends.
func NewRegistry(t *testing.T, a *Artifacts, key PublicKey) *Registry {
	t.Helper()
	ca, err := testca.Write(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var manifest struct {
		Metadata struct {
			ProtocolVersions []string `json:"protocol_versions"`
		} `json:"metadata"`
	}
	b, err := os.ReadFile(filepath.Join(a.Dir, a.Manifest))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &manifest); err != nil {
		t.Fatalf("%s: %v", a.Manifest, err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port //nolint:forcetypeassert // a TCP listener's address
	r := &Registry{
		// The name the certificate is for; the CLIs reject an IP address as a registry host.
		Host:      fmt.Sprintf("localhost:%d", port),
		CAFile:    ca.CA,
		artifacts: a,
		key:       key,
		protocols: manifest.Metadata.ProtocolVersions,
		replaced:  map[string][]byte{},
	}
	srv := &http.Server{Handler: r.mux(), TLSConfig: &tls.Config{Certificates: []tls.Certificate{ca.Server}, MinVersion: tls.VersionTLS12}} //nolint:gosec // loopback, for one test
	go func() {
		if err := srv.ServeTLS(l, "", ""); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("registry: %v", err)
		}
	}()
	t.Cleanup(func() { srv.Close() })
	return r
}

// Source is the provider's source address in this registry, for required_providers.
func (r *Registry) Source() string { return r.Host + "/" + Namespace + "/" + Type }

// Replace serves content in place of the named file, as a compromised mirror or a man in the middle would.
func (r *Registry) Replace(name string, content []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.replaced[name] = content
}

func (r *Registry) mux() *http.ServeMux {
	base := "/v1/providers/" + Namespace + "/" + Type + "/"
	m := http.NewServeMux()
	m.HandleFunc("GET /.well-known/terraform.json", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, map[string]string{"providers.v1": "/v1/providers/"})
	})
	m.HandleFunc("GET "+base+"versions", func(w http.ResponseWriter, _ *http.Request) {
		var platforms []map[string]string
		for p := range r.artifacts.Zips {
			platforms = append(platforms, map[string]string{"os": p.OS, "arch": p.Arch})
		}
		writeJSON(w, map[string]any{"versions": []any{map[string]any{
			"version": r.artifacts.Version, "protocols": r.protocols, "platforms": platforms,
		}}})
	})
	m.HandleFunc("GET "+base+"{version}/download/{os}/{arch}", func(w http.ResponseWriter, req *http.Request) {
		p := Platform{OS: req.PathValue("os"), Arch: req.PathValue("arch")}
		name, ok := r.artifacts.Zips[p]
		if req.PathValue("version") != r.artifacts.Version || !ok {
			http.NotFound(w, req)
			return
		}
		// The registry reports the published checksum, whatever the file it serves now holds.
		sum, err := fileSum(filepath.Join(r.artifacts.Dir, name))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		files := "https://" + r.Host + "/files/"
		writeJSON(w, map[string]any{
			"protocols": r.protocols, "os": p.OS, "arch": p.Arch,
			"filename": name, "download_url": files + name, "shasum": fmt.Sprintf("%x", sum),
			"shasums_url": files + r.artifacts.Sums, "shasums_signature_url": files + r.artifacts.Signature,
			"signing_keys": map[string]any{"gpg_public_keys": []PublicKey{r.key}},
		})
	})
	m.HandleFunc("GET /files/{name}", func(w http.ResponseWriter, req *http.Request) {
		name := req.PathValue("name")
		r.mu.Lock()
		content, ok := r.replaced[name]
		r.mu.Unlock()
		if ok {
			w.Write(content) //nolint:errcheck // the client sees a short read
			return
		}
		if strings.ContainsAny(name, `/\`) {
			http.NotFound(w, req)
			return
		}
		http.ServeFile(w, req, filepath.Join(r.artifacts.Dir, name))
	})
	return m
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v) //nolint:errcheck,errchkjson // the client sees a short read
}
