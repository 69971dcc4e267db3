package acctest

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
)

// The emulator does not do everything as AWS does. front sits between every client and it and fills in
// what the provider relies on, so tests prove the provider against AWS's behaviour rather than lift a
// guarantee where the emulator differs:
//   - CreateBucket writes the tags of its CreateBucketConfiguration with the bucket (AWS does; moto 5
//     ignores them), so a bucket is never without the provider's creation marker.
type front struct {
	target  *url.URL
	forward *httputil.ReverseProxy
}

// startFront serves the emulator at target through front on a loopback port and returns its URL.
func startFront(target string) (string, func(), error) {
	u, err := url.Parse(target)
	if err != nil {
		return "", nil, err
	}
	f := &front{target: u, forward: httputil.NewSingleHostReverseProxy(u)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: f} //nolint:gosec // a loopback test server; the emulator's own timeouts apply
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

// createBucketConfiguration is the part of a CreateBucket body that front reads.
type createBucketConfiguration struct {
	Tags []struct {
		Key   string `xml:"Key"`
		Value string `xml:"Value"`
	} `xml:"Tags>Tag"`
}

func (f *front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	bucket, isCreate := createBucketRequest(r)
	if !isCreate {
		f.forward.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	// AWS makes the bucket and its tags in one step, whatever becomes of the caller: a caller that dies
	// mid-request must not leave the emulator with a bucket but no tags.
	r = r.WithContext(context.WithoutCancel(r.Context()))
	r.Body = io.NopCloser(bytes.NewReader(body))
	var conf createBucketConfiguration
	_ = xml.Unmarshal(body, &conf)
	if len(conf.Tags) == 0 {
		f.forward.ServeHTTP(w, r)
		return
	}
	rec := &recorder{header: http.Header{}}
	f.forward.ServeHTTP(rec, r)
	if rec.status == http.StatusOK {
		if err := f.tag(r, bucket, conf); err != nil {
			http.Error(w, "acctest front: tagging the new bucket: "+err.Error(), http.StatusInternalServerError)
			return
		}
	}
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.status)
	_, _ = w.Write(rec.body.Bytes())
}

// createBucketRequest tells whether r is a path-style CreateBucket, and of which bucket.
func createBucketRequest(r *http.Request) (string, bool) {
	if r.Method != http.MethodPut || r.URL.RawQuery != "" || r.Header.Get("X-Amz-Target") != "" {
		return "", false
	}
	p := strings.Trim(r.URL.Path, "/")
	if p == "" || strings.Contains(p, "/") {
		return "", false
	}
	return p, true
}

// tag writes the tags of a CreateBucket to the bucket it made, with the caller's credentials.
func (f *front) tag(orig *http.Request, bucket string, conf createBucketConfiguration) error {
	var b strings.Builder
	b.WriteString("<Tagging><TagSet>")
	for _, t := range conf.Tags {
		fmt.Fprintf(&b, "<Tag><Key>%s</Key><Value>%s</Value></Tag>", xmlEscape(t.Key), xmlEscape(t.Value))
	}
	b.WriteString("</TagSet></Tagging>")
	u := *f.target
	u.Path = "/" + bucket
	u.RawQuery = "tagging"
	req, err := http.NewRequestWithContext(context.WithoutCancel(orig.Context()), http.MethodPut, u.String(), strings.NewReader(b.String()))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", orig.Header.Get("Authorization"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent {
		msg, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("%s: %s", resp.Status, msg)
	}
	return nil
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// recorder keeps an answer so front can act before passing it on.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}
