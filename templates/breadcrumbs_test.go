package templates

import (
	"context"
	"regexp"
	"strings"
	"testing"
)

// A department called Home does not make the trail read "Home › Home".
func TestBreadcrumbsNameTheHomepageOnce(t *testing.T) {
	for _, tc := range []struct {
		crumbs []Link
		want   string
	}{
		{[]Link{{Label: "Home", URL: "/c/home"}, {Label: "Storage", URL: "/c/storage"}}, "Shop › Home › Storage"},
		{[]Link{{Label: "Outdoor", URL: "/c/outdoor"}, {Label: "Tents", URL: "/c/tents"}}, "Home › Outdoor › Tents"},
		{nil, "Home"},
	} {
		var sb strings.Builder
		if err := Breadcrumbs(tc.crumbs).Render(context.Background(), &sb); err != nil {
			t.Fatal(err)
		}
		text := regexp.MustCompile(`<[^>]*>`).ReplaceAllString(sb.String(), " ")
		if got := strings.Join(strings.Fields(text), " "); got != tc.want {
			t.Errorf("trail %q, want %q", got, tc.want)
		}
	}
}
