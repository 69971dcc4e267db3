package testca

import (
	"crypto/x509"
	"testing"
)

func TestWrite_serverCertificateVerifiesFor127001AgainstItsCAOnly(t *testing.T) {
	f, err := Write(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(f.Server.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: f.Pool, DNSName: "127.0.0.1"}); err != nil {
		t.Errorf("the server certificate does not verify for 127.0.0.1 against its CA: %v", err)
	}
	other, err := Write(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: other.Pool, DNSName: "127.0.0.1"}); err == nil {
		t.Error("the server certificate verifies against another run's CA; each run must make its own")
	}
}
