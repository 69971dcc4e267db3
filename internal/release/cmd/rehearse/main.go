// Command rehearse builds the provider's release artifacts as .goreleaser.yml describes them, for every
// platform, signed with a throw-away key, into one folder: what a release would upload, short of the upload.
//
//	go run ./internal/release/cmd/rehearse -out .cache/release/dist
//
// It writes the zips, the manifest, the SHA256SUMS file and its signature, and the throw-away public key
// (signing-key.asc) that checks the signature. The version is CHANGELOG.md's first heading unless -version
// names another.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/release"
)

func main() {
	out := flag.String("out", "dist", "the folder to write the artifacts to; it is emptied first")
	ver := flag.String("version", "", "the version to build (default: CHANGELOG.md's first heading)")
	flag.Parse()
	if err := run(*out, *ver); err != nil {
		fmt.Fprintln(os.Stderr, "rehearse:", err)
		os.Exit(1)
	}
}

func run(out, ver string) error {
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	if ver == "" {
		if ver, err = release.NextVersion(root); err != nil {
			return err
		}
	}
	// Artifacts of an earlier version or platform left in the folder would be served as this build's.
	if err := os.RemoveAll(out); err != nil {
		return err
	}
	signer, err := release.NewSigner("terraform-provider-gdpr release rehearsal")
	if err != nil {
		return err
	}
	a, err := release.Build(context.Background(), release.Options{Root: root, Out: out, Version: ver, Signer: signer})
	if err != nil {
		return err
	}
	key, err := signer.ArmoredPublicKey()
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, release.PublicKeyFile), []byte(key), 0o644); err != nil {
		return err
	}
	fmt.Printf("rehearse: %s %s for %d platforms in %s, signed by throw-away key %s\n",
		a.Sums, a.Version, len(a.Zips), out, signer.KeyID())
	return nil
}
