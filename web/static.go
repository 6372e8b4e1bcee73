package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"storefront/static"
)

// staticAsset serves an embedded file. A fingerprinted name never changes
// content, so browsers keep it for a year without asking again; a plain name
// is revalidated with its ETag. Text assets go out gzipped to browsers that
// accept it.
func (s *Server) staticAsset(c echo.Context) error {
	a, immutable := static.Lookup(c.Param("*"))
	if a == nil {
		return echo.ErrNotFound
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, a.ContentType)
	h.Set("ETag", a.ETag)
	h.Add(echo.HeaderVary, echo.HeaderAcceptEncoding)
	if immutable {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, no-cache")
	}
	if etagMatches(c.Request(), a.ETag) {
		return c.NoContent(http.StatusNotModified)
	}
	body := a.Body
	if a.Gzip != nil && acceptsGzip(c.Request().Header.Get(echo.HeaderAcceptEncoding)) {
		h.Set(echo.HeaderContentEncoding, "gzip")
		body = a.Gzip
	}
	return c.Blob(http.StatusOK, a.ContentType, body)
}

// acceptsGzip reads Accept-Encoding, honouring an explicit "gzip;q=0".
func acceptsGzip(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") || strings.TrimSpace(name) == "*" {
			q := strings.ReplaceAll(params, " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}

// etagMatches reports whether the request's If-None-Match names etag (one
// of its comma-separated tags): the browser holds the body etag stands for.
func etagMatches(r *http.Request, etag string) bool {
	for _, tag := range strings.Split(r.Header.Get("If-None-Match"), ",") {
		if strings.TrimSpace(tag) == etag {
			return true
		}
	}
	return false
}
