// Package static embeds the shop's CSS, vendored JavaScript (htmx,
// SortableJS) and icons into the binary.
package static

import "embed"

// FS holds every static asset.
//
//go:embed *.css *.js *.svg licenses
var FS embed.FS
