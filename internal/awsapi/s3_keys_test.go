package awsapi

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// A version listing asked with encoding-type=url comes back with every key, prefix and marker decoded as S3
// encodes them (form encoding: '+' is a space, %2B a '+'), and the next request of a paginator carries the
// decoded marker, as S3 expects.
func TestURLEncodedKeys_decodeEveryKeyAndTheMarkers(t *testing.T) {
	var asked []*s3.ListObjectVersionsInput
	pages := []*s3.ListObjectVersionsOutput{
		{
			EncodingType: s3types.EncodingTypeUrl, IsTruncated: aws.Bool(true),
			Prefix: aws.String("ctl%2F"), Delimiter: aws.String("%0A"),
			NextKeyMarker: aws.String("ctl/%01start"), NextVersionIdMarker: aws.String("v1"),
			Versions:       []s3types.ObjectVersion{{Key: aws.String("ctl/%01start")}, {Key: aws.String("ctl/plus%2Band+space")}},
			DeleteMarkers:  []s3types.DeleteMarkerEntry{{Key: aws.String("ctl/carriage%0Dreturn")}},
			CommonPrefixes: []s3types.CommonPrefix{{Prefix: aws.String("ctl/%1F/")}},
		},
		{EncodingType: s3types.EncodingTypeUrl, Versions: []s3types.ObjectVersion{{Key: aws.String("ctl/percent%2541")}}},
	}
	list := urlEncodedKeys(func(_ context.Context, in *s3.ListObjectVersionsInput, _ ...func(*s3.Options)) (*s3.ListObjectVersionsOutput, error) {
		asked = append(asked, in)
		out := pages[0]
		pages = pages[1:]
		return out, nil
	})
	var keys []string
	p := s3.NewListObjectVersionsPaginator(list, &s3.ListObjectVersionsInput{Bucket: aws.String("b")})
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range out.Versions {
			keys = append(keys, aws.ToString(v.Key))
		}
		for _, m := range out.DeleteMarkers {
			keys = append(keys, aws.ToString(m.Key))
		}
		for _, c := range out.CommonPrefixes {
			keys = append(keys, aws.ToString(c.Prefix))
		}
		if out.Prefix != nil && (*out.Prefix != "ctl/" || *out.Delimiter != "\n") {
			t.Errorf("prefix %q and delimiter %q, want them decoded", *out.Prefix, *out.Delimiter)
		}
	}
	want := []string{"ctl/\x01start", "ctl/plus+and space", "ctl/carriage\rreturn", "ctl/\x1f/", "ctl/percent%41"}
	if len(keys) != len(want) {
		t.Fatalf("keys %q, want %q", keys, want)
	}
	for i := range want {
		if keys[i] != want[i] {
			t.Errorf("key %d is %q, want %q", i, keys[i], want[i])
		}
	}
	for i, in := range asked {
		if in.EncodingType != s3types.EncodingTypeUrl {
			t.Errorf("request %d asked with EncodingType %q, want url", i, in.EncodingType)
		}
	}
	if len(asked) != 2 || aws.ToString(asked[1].KeyMarker) != "ctl/\x01start" {
		t.Errorf("the second request's KeyMarker is %q, want the decoded key", aws.ToString(asked[len(asked)-1].KeyMarker))
	}
}

// A service that ignores encoding-type answers keys as they are, and says nothing of encoding: those keys
// must not be decoded, or every key with a '%' or a '+' would change.
func TestURLEncodedKeys_leaveAnUnencodedAnswerAlone(t *testing.T) {
	list := urlEncodedKeys(func(context.Context, *s3.ListObjectVersionsInput, ...func(*s3.Options)) (*s3.ListObjectVersionsOutput, error) {
		return &s3.ListObjectVersionsOutput{Versions: []s3types.ObjectVersion{{Key: aws.String("a+b%41")}}}, nil
	})
	out, err := list(context.Background(), &s3.ListObjectVersionsInput{})
	if err != nil || aws.ToString(out.Versions[0].Key) != "a+b%41" {
		t.Errorf("key %q, %v; want a+b%%41 as it came", aws.ToString(out.Versions[0].Key), err)
	}
}

// Keys XML cannot carry are deleted one by one, by URL; the others in one DeleteObjects, and a failure of
// either is in the answer's Errors.
func TestXMLSafeDeletes_sendUnsafeKeysByURL(t *testing.T) {
	var batch []string
	var single []string
	del := xmlSafeDeletes(
		func(_ context.Context, in *s3.DeleteObjectsInput, _ ...func(*s3.Options)) (*s3.DeleteObjectsOutput, error) {
			for _, id := range in.Delete.Objects {
				batch = append(batch, aws.ToString(id.Key))
			}
			return &s3.DeleteObjectsOutput{}, nil
		},
		func(_ context.Context, in *s3.DeleteObjectInput, _ ...func(*s3.Options)) (*s3.DeleteObjectOutput, error) {
			single = append(single, aws.ToString(in.Key))
			if aws.ToString(in.Key) == "bad\x02" {
				return nil, errors.New("refused")
			}
			return &s3.DeleteObjectOutput{}, nil
		})
	ids := []s3types.ObjectIdentifier{{Key: aws.String("ok\tkey")}, {Key: aws.String("a\x01")}, {Key: aws.String("cr\r")}, {Key: aws.String("bad\x02")}, {Key: aws.String("ok\uFFFD")}}
	out, err := del(context.Background(), &s3.DeleteObjectsInput{Bucket: aws.String("b"), Delete: &s3types.Delete{Objects: ids, Quiet: aws.Bool(true)}})
	if err != nil {
		t.Fatal(err)
	}
	if len(batch) != 2 || batch[0] != "ok\tkey" || batch[1] != "ok\uFFFD" {
		t.Errorf("DeleteObjects got %q, want the two keys XML carries", batch)
	}
	if len(single) != 3 {
		t.Errorf("DeleteObject got %q, want the three keys XML cannot carry", single)
	}
	if len(out.Errors) != 1 || aws.ToString(out.Errors[0].Key) != "bad\x02" {
		t.Errorf("errors %+v, want the one refused delete", out.Errors)
	}
}

// A request without a Delete element is passed on for S3 to refuse, never dereferenced.
func TestXMLSafeDeletes_requestWithoutObjectsIsPassedOn(t *testing.T) {
	passed := false
	del := xmlSafeDeletes(
		func(_ context.Context, in *s3.DeleteObjectsInput, _ ...func(*s3.Options)) (*s3.DeleteObjectsOutput, error) {
			passed = in.Delete == nil
			return nil, errors.New("MalformedXML")
		},
		func(context.Context, *s3.DeleteObjectInput, ...func(*s3.Options)) (*s3.DeleteObjectOutput, error) {
			t.Error("DeleteObject called for a request that names no object")
			return nil, nil
		})
	if _, err := del(context.Background(), &s3.DeleteObjectsInput{Bucket: aws.String("b")}); err == nil || !passed {
		t.Errorf("a DeleteObjects without Delete: passed on %v, error %v; want it passed on as it is and S3's error", passed, err)
	}
}

// A version that S3 says it deleted and lists again stops the move with an error naming it, where another
// round would copy it and "delete" it again for ever (as happened to keys the SDK could not write in XML).
func TestMoveRounds_stopWhenADeletedVersionIsListedAgain(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	lists := 0
	sum := aws.String("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")
	c := &Clients{s3: s3Operations{
		listObjectVersions: func(ctx context.Context, _ *s3.ListObjectVersionsInput, _ ...func(*s3.Options)) (*s3.ListObjectVersionsOutput, error) {
			lists++
			return &s3.ListObjectVersionsOutput{Versions: []s3types.ObjectVersion{
				{Key: aws.String("a\x01b"), VersionId: aws.String("v1"), IsLatest: aws.Bool(true), Size: aws.Int64(3)},
			}}, ctx.Err()
		},
		headObject: func(context.Context, *s3.HeadObjectInput, ...func(*s3.Options)) (*s3.HeadObjectOutput, error) {
			return &s3.HeadObjectOutput{ChecksumSHA256: sum, ChecksumType: s3types.ChecksumTypeFullObject, ContentLength: aws.Int64(3)}, nil
		},
		copyObject: func(context.Context, *s3.CopyObjectInput, ...func(*s3.Options)) (*s3.CopyObjectOutput, error) {
			return &s3.CopyObjectOutput{SSEKMSKeyId: aws.String("key"), CopyObjectResult: &s3types.CopyObjectResult{ChecksumSHA256: sum, ChecksumType: s3types.ChecksumTypeFullObject}}, nil
		},
		deleteObjects: func(context.Context, *s3.DeleteObjectsInput, ...func(*s3.Options)) (*s3.DeleteObjectsOutput, error) {
			return &s3.DeleteObjectsOutput{}, nil
		},
		putBucketTagging: func(context.Context, *s3.PutBucketTaggingInput, ...func(*s3.Options)) (*s3.PutBucketTaggingOutput, error) {
			return &s3.PutBucketTaggingOutput{}, nil
		},
	}}
	m := &mover{src: c, dst: c, from: "old", to: "new", key: "key", fresh: true, dstTags: map[string]string{}}
	err := m.moveRounds(ctx, nil)
	var moveErr *MoveError
	if !errors.As(err, &moveErr) || !errors.Is(err, ErrStillListed) || moveErr.Key != "a\x01b" {
		t.Fatalf("moveRounds after %d listings: %v, want ErrStillListed naming the key", lists, err)
	}
	// One listing for archived objects, one per round: the second round stops.
	if lists != 3 {
		t.Errorf("the move listed the bucket %d times, want 3", lists)
	}
}
