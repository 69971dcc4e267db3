package isolate_test

import (
	"testing"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

func TestMain(m *testing.M) {
	acctest.Main(m)
}
