package awsapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestProvisionedIOPS(t *testing.T) {
	tests := []struct {
		volumeType string
		sizeGB     int32
		want       int32 // 0: none requested
	}{
		{"gp3", 100, 0},
		{"gp2", 100, 0},
		{"io1", 1, 100},
		{"io1", 4, 200},
		{"io2", 10, 500},
		{"io2", 60, 3000},
		{"io1", 16384, 3000},
	}
	for _, tc := range tests {
		got := provisionedIOPS(tc.volumeType, tc.sizeGB)
		switch {
		case tc.want == 0 && got != nil:
			t.Errorf("%s %d GiB: IOPS %d requested, want none", tc.volumeType, tc.sizeGB, *got)
		case tc.want != 0 && (got == nil || *got != tc.want):
			t.Errorf("%s %d GiB: IOPS %v, want %d", tc.volumeType, tc.sizeGB, got, tc.want)
		}
	}
}

func TestPartition(t *testing.T) {
	for region, want := range map[string]string{
		"eu-central-1":   "aws",
		"us-east-1":      "aws",
		"cn-north-1":     "aws-cn",
		"us-gov-west-1":  "aws-us-gov",
		"eusc-de-east-1": "aws-eusc",
	} {
		if got := partition(region); got != want {
			t.Errorf("partition(%s) = %s, want %s", region, got, want)
		}
	}
}

func TestSHA256Hex(t *testing.T) {
	for in, want := range map[string]string{
		"":    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"abc": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	} {
		if got := SHA256Hex(in); got != want {
			t.Errorf("SHA256Hex(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestWaitServerRunning_timeoutNamesTheInstance runs the SDK waiter against a fake EC2 that reports the
// instance pending for ever: the wait ends at its bound with an error that names the instance.
func TestWaitServerRunning_timeoutNamesTheInstance(t *testing.T) {
	isolate(t)
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.Form.Get("Action") != "DescribeInstances" {
			http.Error(w, "unexpected request", http.StatusBadRequest)
			return
		}
		calls++
		w.Header().Set("Content-Type", "text/xml")
		_, _ = w.Write([]byte(`<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
<requestId>r</requestId><reservationSet><item><reservationId>r-1</reservationId><ownerId>123456789012</ownerId>
<instancesSet><item><instanceId>i-0123456789abcdef0</instanceId><instanceState><code>0</code><name>pending</name></instanceState></item></instancesSet>
</item></reservationSet></DescribeInstancesResponse>`))
	}))
	defer srv.Close()
	c, err := New(context.Background(), Config{Region: "eu-central-1", AccessKey: "a", SecretKey: "b",
		Endpoints: Endpoints{EC2: srv.URL}, MaxRetries: 0})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = c.WaitServerRunning(context.Background(), "i-0123456789abcdef0", 100*time.Millisecond)
	if err == nil {
		t.Fatal("the wait for a pending instance succeeded")
	}
	if !strings.Contains(err.Error(), "i-0123456789abcdef0") || !strings.Contains(err.Error(), "100ms") {
		t.Errorf("error %q does not name the instance and the bound", err)
	}
	if calls == 0 {
		t.Error("the waiter never asked EC2")
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the wait took %s, far beyond its bound", d)
	}
}
