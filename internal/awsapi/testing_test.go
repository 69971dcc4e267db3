package awsapi

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// without returns s without x, for the tests that leave one guarantee out.
func without[T comparable](s []T, x T) []T {
	return slices.DeleteFunc(slices.Clone(s), func(y T) bool { return y == x })
}

// s3Missing is how S3 answers a GET of each bucket sub-resource the fake knows that was never PUT: the
// error code ReadBucket takes for "not set", or, for versioning, an empty configuration.
var s3Missing = map[string]string{
	"encryption":        "ServerSideEncryptionConfigurationNotFoundError",
	"lifecycle":         "NoSuchLifecycleConfiguration",
	"object-lock":       "ObjectLockConfigurationNotFoundError",
	"ownershipControls": "OwnershipControlsNotFoundError",
	"policy":            "NoSuchBucketPolicy",
	"publicAccessBlock": "NoSuchPublicAccessBlockConfiguration",
	"tagging":           "NoSuchTagSet",
	"versioning":        "",
}

// fakeS3 is an S3 endpoint with path-style buckets that keeps, for each bucket sub-resource, the last
// document PUT and answers a GET of it with that document, which is what S3 does; a sub-resource never PUT
// is missing. CreateBucket's ownership and Object Lock headers set the sub-resources S3 derives from them.
// It returns clients for it in region.
func fakeS3(t *testing.T, region string) *Clients {
	t.Helper()
	isolate(t)
	var mu sync.Mutex
	docs := map[string][]byte{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		sub := ""
		for name := range s3Missing {
			if r.URL.Query().Has(name) {
				sub = name
			}
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		switch {
		case r.Method == http.MethodGet && r.URL.Query().Has("location"):
			// CreateBucket's configuration names the region; none means us-east-1, as S3 answers it.
			constraint := ""
			if m := regexp.MustCompile(`<LocationConstraint>([^<]*)</LocationConstraint>`).FindSubmatch(docs["create"]); m != nil {
				constraint = string(m[1])
			}
			_, _ = fmt.Fprintf(w, `<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">%s</LocationConstraint>`, constraint)
		case r.Method == http.MethodPut && sub == "":
			docs["create"] = body
			if o := r.Header.Get("X-Amz-Object-Ownership"); o != "" {
				docs["ownershipControls"] = fmt.Appendf(nil,
					`<OwnershipControls><Rule><ObjectOwnership>%s</ObjectOwnership></Rule></OwnershipControls>`, o)
			}
			if r.Header.Get("X-Amz-Bucket-Object-Lock-Enabled") == "true" {
				docs["object-lock"] = []byte(`<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>`)
			}
		case r.Method == http.MethodPut:
			docs[sub] = body
		case r.Method == http.MethodGet && docs[sub] != nil:
			_, _ = w.Write(docs[sub])
		case r.Method == http.MethodGet && sub == "versioning":
			_, _ = w.Write([]byte(`<VersioningConfiguration/>`))
		case r.Method == http.MethodGet && sub != "":
			w.WriteHeader(http.StatusNotFound)
			_, _ = fmt.Fprintf(w, `<Error><Code>%s</Code><Message>not set</Message></Error>`, s3Missing[sub])
		default:
			http.Error(w, "the fake does not know "+r.Method+" "+r.URL.String(), http.StatusNotImplemented)
		}
	}))
	t.Cleanup(srv.Close)
	c, err := New(context.Background(), Config{Region: region, AccessKey: "a", SecretKey: "b", MaxRetries: 0,
		S3UsePathStyle: true, Endpoints: Endpoints{S3: srv.URL}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// leastSafeLaunch is the instance EC2 would launch from in if every setting the request leaves out took
// the value that breaks a guarantee. EC2's defaults depend on the account, the image and the subnet, which
// is why the provider asks for every setting it guarantees; the tests must not rely on them either.
func leastSafeLaunch(in *ec2.RunInstancesInput) *Server {
	s := &Server{
		MetadataHTTPTokens:   string(ec2types.HttpTokensStateOptional),
		MetadataHopLimit:     2,
		MetadataHTTPEndpoint: string(ec2types.InstanceMetadataEndpointStateDisabled),
		PublicIP:             "203.0.113.10",
		ShutdownBehavior:     string(ec2types.ShutdownBehaviorTerminate),
	}
	if m := in.MetadataOptions; m != nil {
		if m.HttpTokens != "" {
			s.MetadataHTTPTokens = string(m.HttpTokens)
		}
		if m.HttpPutResponseHopLimit != nil {
			s.MetadataHopLimit = *m.HttpPutResponseHopLimit
		}
		if m.HttpEndpoint != "" {
			s.MetadataHTTPEndpoint = string(m.HttpEndpoint)
		}
	}
	for _, n := range in.NetworkInterfaces {
		if aws.ToInt32(n.DeviceIndex) == 0 && n.AssociatePublicIpAddress != nil && !*n.AssociatePublicIpAddress {
			s.PublicIP = ""
		}
	}
	if in.InstanceInitiatedShutdownBehavior != "" {
		s.ShutdownBehavior = string(in.InstanceInitiatedShutdownBehavior)
	}
	for _, b := range in.BlockDeviceMappings {
		if b.Ebs != nil {
			s.RootDeviceName = aws.ToString(b.DeviceName)
			s.Root = &Volume{
				SizeGB: aws.ToInt32(b.Ebs.VolumeSize), Type: string(b.Ebs.VolumeType), KMSKeyID: aws.ToString(b.Ebs.KmsKeyId),
				Encrypted: aws.ToBool(b.Ebs.Encrypted), DeleteOnTermination: aws.ToBool(b.Ebs.DeleteOnTermination),
			}
		}
	}
	return s
}

// leastSafeKey is the key KMS would create from in, as CreateKey returns it, if every setting the request
// leaves out took a value that breaks a guarantee, for the same reason as leastSafeLaunch. KMS creates
// every key enabled and without rotation.
func leastSafeKey(in *kms.CreateKeyInput) *Key {
	m := &kmstypes.KeyMetadata{
		KeyId:       aws.String("1234abcd-12ab-34cd-56ef-1234567890ab"),
		KeyState:    kmstypes.KeyStateEnabled,
		KeySpec:     kmstypes.KeySpecRsa2048,
		KeyUsage:    kmstypes.KeyUsageTypeSignVerify,
		MultiRegion: aws.Bool(true),
		Description: in.Description,
	}
	if in.KeySpec != "" {
		m.KeySpec = in.KeySpec
	}
	if in.KeyUsage != "" {
		m.KeyUsage = in.KeyUsage
	}
	if in.MultiRegion != nil {
		m.MultiRegion = in.MultiRegion
	}
	return keyFromMetadata(m)
}
