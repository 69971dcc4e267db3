// Package testca makes a throw-away certificate authority and a server certificate for 127.0.0.1, so the
// local AWS emulator can serve TLS that the provider and the tests verify, as they would verify AWS's.
package testca

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// Files names the PEM files Write leaves in its directory, and holds what Go callers need of them.
type Files struct {
	// CA is the authority's certificate: what AWS_CA_BUNDLE names for the provider and the SDK.
	CA string
	// Cert and Key are the server's certificate and private key, for the emulator.
	Cert, Key string

	// CAPEM is the content of CA.
	CAPEM []byte
	// Pool trusts the authority alone.
	Pool *x509.CertPool
	// Server is the server's certificate and key, for a Go TLS listener.
	Server tls.Certificate
}

// Write makes a new authority and a server certificate it signs, valid for 127.0.0.1 and localhost for a
// day, and writes them to dir as ca.pem, cert.pem and key.pem. Every run makes its own: nothing signed by
// it is trusted anywhere else, and its key never leaves dir.
func Write(dir string) (*Files, error) {
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "gdpr acceptance tests throw-away CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("signing the CA certificate: %w", err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("signing the server certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}

	f := &Files{CA: filepath.Join(dir, "ca.pem"), Cert: filepath.Join(dir, "cert.pem"), Key: filepath.Join(dir, "key.pem")}
	f.CAPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	for name, content := range map[string][]byte{f.CA: f.CAPEM, f.Cert: certPEM, f.Key: keyPEM} {
		if err := os.WriteFile(name, content, 0o600); err != nil {
			return nil, err
		}
	}
	f.Pool = x509.NewCertPool()
	f.Pool.AddCert(caCert)
	f.Server, err = tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// serial is a random certificate serial number, as RFC 5280 recommends.
func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		// crypto/rand does not fail on the systems Go supports.
		panic(err)
	}
	return n
}
