package acctest

import (
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestMain(m *testing.M) { Main(m) }

// TestEmulator_aSilentConnectionStallsNoOther opens a connection to the emulator's TLS port that never begins
// its TLS handshake, as a client does whose first packet a busy machine dropped, and then asks the emulator
// over a new connection. The new connection must be answered at once: when the emulator made every handshake
// in the one thread that accepts connections, the silent one stalled all others, and the front, after 10 s,
// answered the provider's requests with 502 Bad Gateway.
func TestEmulator_aSilentConnectionStallsNoOther(t *testing.T) {
	RequireEmulator(t)
	silent, err := net.Dial("tcp", strings.TrimPrefix(motoTLS, "https://"))
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()

	tr := transport.Clone()
	tr.DisableKeepAlives = true
	client := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	start := time.Now()
	resp, err := client.Get(motoTLS + "/moto-api/")
	if err != nil {
		t.Fatalf("while another connection to the emulator had not begun its TLS handshake, a request over a new "+
			"connection failed after %s: %v", time.Since(start).Round(time.Millisecond), err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("the emulator answered %s", resp.Status)
	}
}
