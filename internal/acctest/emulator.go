package acctest

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
)

// Layout of the emulator, so that a bucket's TLS-only policy is enforced as AWS enforces it:
//
//	provider, SDK clients --https--> front, TLS listener (endpoint)        --https--> moto-tls.py, TLS port
//	plain-HTTP test calls --http---> front, plain listener (plainEndpoint) --http---> moto-tls.py, plain port
//
// scripts/moto-tls.py runs one moto on two ports and decides the aws:SecureTransport condition of a bucket
// policy by the scheme each request arrived with. Each front listener forwards to the port of its own
// scheme, so moto sees the scheme the client really used, with no header to trust or forge. The certificate
// of both TLS hops comes from a throw-away CA made per test run (testca), which AWS_CA_BUNDLE names for the
// provider and AWSConfig for the tests' own clients.
//
// The emulator does not do everything as AWS does. front fills in what the provider relies on, so tests
// prove the provider against AWS's behaviour rather than lift a guarantee where the emulator differs:
//   - CreateBucket writes the tags of its CreateBucketConfiguration with the bucket (AWS does; moto 5
//     ignores them), so a bucket is never without the provider's creation marker.
//   - An object request a bucket policy denies is answered with AWS's AccessDenied error (moto answers an
//     empty 403), so the SDK reports the error code the provider and users see from AWS.
type front struct {
	target  *url.URL
	client  *http.Client
	forward *httputil.ReverseProxy
}

// startFront serves the emulator's TLS port (motoTLS) over TLS with cert, and its plain port (motoPlain)
// over plain HTTP, each on a loopback port of its own, and returns both URLs. transport reaches moto.
func startFront(motoTLS, motoPlain string, cert tls.Certificate, transport *http.Transport) (tlsURL, plainURL string, stop func(), err error) {
	var servers []*http.Server
	stop = func() {
		for _, s := range servers {
			_ = s.Close()
		}
	}
	serve := func(target string, secure bool) (string, error) {
		u, err := url.Parse(target)
		if err != nil {
			return "", err
		}
		f := &front{target: u, client: &http.Client{Transport: transport}, forward: httputil.NewSingleHostReverseProxy(u)}
		f.forward.Transport = transport
		f.forward.ModifyResponse = accessDeniedAsAWS
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return "", err
		}
		scheme := "http"
		if secure {
			// HTTP/1.1 only, as S3 speaks it: a TLS listener given to Serve does not offer HTTP/2.
			ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
			scheme = "https"
		}
		srv := &http.Server{Handler: f} //nolint:gosec // a loopback test server; the emulator's own timeouts apply
		servers = append(servers, srv)
		go func() { _ = srv.Serve(ln) }()
		return scheme + "://" + ln.Addr().String(), nil
	}
	if tlsURL, err = serve(motoTLS, true); err != nil {
		stop()
		return "", "", nil, err
	}
	if plainURL, err = serve(motoPlain, false); err != nil {
		stop()
		return "", "", nil, err
	}
	return tlsURL, plainURL, stop, nil
}

// accessDeniedBody is the body AWS answers an object request with when a bucket policy denies it.
const accessDeniedBody = `<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`

// accessDeniedAsAWS gives a bare 403 from moto the AccessDenied body AWS sends with it. moto answers an object
// request its bucket policy denies with a 403 and no body, which the SDK reports as "Forbidden"; AWS says
// AccessDenied, which is what the provider's error handling and its users see. HEAD answers carry no body,
// at AWS too, and are left alone.
func accessDeniedAsAWS(resp *http.Response) error {
	if resp.StatusCode != http.StatusForbidden || resp.Request.Method == http.MethodHead || resp.ContentLength != 0 {
		return nil
	}
	resp.Body.Close()
	resp.Body = io.NopCloser(strings.NewReader(accessDeniedBody))
	resp.ContentLength = int64(len(accessDeniedBody))
	resp.Header.Set("Content-Length", strconv.Itoa(len(accessDeniedBody)))
	resp.Header.Set("Content-Type", "application/xml")
	return nil
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
	resp, err := f.client.Do(req)
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
