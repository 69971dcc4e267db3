// Command startup starts a provider binary the way Terraform does (go-plugin's handshake, mutual TLS over a
// Unix socket) and times, run by run, the moments from exec to the handshake line and to the first answered
// GetProviderSchema, and how long a second GetProviderSchema takes. It prints the medians:
//
//	go run ./bench/startup PROVIDER_BINARY RUNS
//
// Terraform starts a provider three times for one plan, so what passes before the first answer is paid three
// times. STARTUP_STDERR=1 passes the provider's standard error through, for GODEBUG=gctrace=1 or inittrace=1.
package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
)

// rawCodec sends and receives messages as bytes, so no generated client is needed: GetProviderSchema's
// request is the empty message, and only the answer's arrival and size matter here.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) {
	b, ok := v.(*[]byte)
	if !ok {
		return nil, fmt.Errorf("rawCodec: %T is not *[]byte", v)
	}
	return *b, nil
}

func (rawCodec) Unmarshal(data []byte, v any) error {
	b, ok := v.(*[]byte)
	if !ok {
		return fmt.Errorf("rawCodec: %T is not *[]byte", v)
	}
	*b = slices.Clone(data)
	return nil
}

func (rawCodec) Name() string { return "proto" }

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: startup PROVIDER_BINARY RUNS")
		os.Exit(2)
	}
	bin := os.Args[1]
	n, err := strconv.Atoi(os.Args[2])
	if err != nil || n < 1 {
		fmt.Fprintln(os.Stderr, "startup: RUNS must be a positive number")
		os.Exit(2)
	}
	var hs, first, second []float64
	size := 0
	for range n {
		a, b, c, sz := once(bin)
		hs, first, second = append(hs, a), append(first, b), append(second, c)
		size = sz
	}
	fmt.Printf("%s: handshake %.1f ms, first GetProviderSchema answered %.1f ms, second %.1f ms after it (medians of %d; schema %d bytes)\n",
		bin, med(hs), med(first), med(second), n, size)
}

func med(v []float64) float64 { slices.Sort(v); return v[len(v)/2] }

// once starts bin as go-plugin's client does under Terraform (a P-521 client certificate in
// PLUGIN_CLIENT_CERT), reads the handshake line, connects and asks for the schema twice.
func once(bin string) (float64, float64, float64, int) {
	key, err := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	check(err)
	tmpl := &x509.Certificate{Subject: pkix.Name{CommonName: "localhost"}, DNSNames: []string{"localhost"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth},
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true,
		SerialNumber: big.NewInt(1), NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	check(err)
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "TF_PLUGIN_MAGIC_COOKIE=d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
		"PLUGIN_PROTOCOL_VERSIONS=6", "PLUGIN_CLIENT_CERT="+string(certPEM))
	if os.Getenv("STARTUP_STDERR") != "" {
		cmd.Stderr = os.Stderr
	}
	out, err := cmd.StdoutPipe()
	check(err)
	start := time.Now()
	check(cmd.Start())
	line, err := bufio.NewReader(out).ReadString('\n')
	check(err)
	tHS := time.Since(start)
	parts := strings.Split(strings.TrimSpace(line), "|")
	serverDER, err := base64.RawStdEncoding.DecodeString(parts[5])
	check(err)
	serverCert, err := x509.ParseCertificate(serverDER)
	check(err)
	pool := x509.NewCertPool()
	pool.AddCert(serverCert)
	cfg := &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, RootCAs: pool,
		ServerName: "localhost", MinVersion: tls.VersionTLS12}
	conn, err := grpc.NewClient("unix:"+parts[3], grpc.WithTransportCredentials(credentials.NewTLS(cfg)),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(rawCodec{})))
	check(err)
	req, resp := []byte{}, []byte{}
	check(conn.Invoke(context.Background(), "/tfplugin6.Provider/GetProviderSchema", &req, &resp))
	tFirst := time.Since(start)
	check(conn.Invoke(context.Background(), "/tfplugin6.Provider/GetProviderSchema", &req, &resp))
	tSecond := time.Since(start)
	_ = conn.Close()
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return ms(tHS), ms(tFirst), ms(tSecond - tFirst), len(resp)
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
