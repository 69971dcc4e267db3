package bucket_test

import (
	"testing"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

func TestMain(m *testing.M) {
	// Objects above 6 MiB are copied in parts of 5 MiB (S3's smallest), so a move of objects the emulator
	// holds with ease takes the path that objects above 5 GiB take on AWS.
	awsapi.MultipartCopy.Above, awsapi.MultipartCopy.PartSize = 6<<20, 5<<20
	acctest.Main(m)
}
