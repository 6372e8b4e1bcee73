package web

import (
	"errors"
	"net/http"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/labstack/echo/v4"

	"storefront/images"
	"storefront/models"
)

// imageCache keeps recently served small picture files in memory, so a
// busy page of cards does not read each one from the database. A file's
// address names its content, so an entry never goes stale.
type imageCache struct {
	files *lru.Cache[string, cachedImage]
	// work bounds how many uploads are decoded at once: a picture of
	// images.MaxPixels takes four bytes a pixel while it is processed.
	work chan struct{}
}

type cachedImage struct {
	contentType string
	data        []byte
}

const (
	imageCacheEntries  = 256
	imageCacheMaxBytes = 256 << 10
)

func newImageCache() *imageCache {
	c, _ := lru.New[string, cachedImage](imageCacheEntries)
	return &imageCache{files: c, work: make(chan struct{}, 2)}
}

// uploadedImage serves a stored picture at /img/u/<hash>[-<variant>].<ext>.
// The address changes whenever the picture does, so browsers and proxies
// may keep it for a year without asking again; the ETag answers a
// revalidation that comes anyway.
func (s *Server) uploadedImage(c echo.Context) error {
	hash, variant, ext, ok := images.ParseName(c.Param("name"))
	if !ok {
		return echo.ErrNotFound
	}
	etag := `"` + hash[:40] + "-" + variant + `"`
	if etagMatches(c.Request(), etag) {
		c.Response().Header().Set("ETag", etag)
		return c.NoContent(http.StatusNotModified)
	}
	key := hash + "-" + variant
	f, ok := s.images.files.Get(key)
	if !ok {
		file, ct, err := s.db.ImageFileByHash(c.Request().Context(), hash, variant)
		if errors.Is(err, models.ErrNotFound) {
			return echo.ErrNotFound
		}
		if err != nil {
			return err
		}
		f = cachedImage{contentType: ct, data: file.Data}
		if len(f.data) <= imageCacheMaxBytes {
			s.images.files.Add(key, f)
		}
	}
	if images.ExtOf(f.contentType) != ext {
		return echo.ErrNotFound
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", etag)
	return c.Blob(http.StatusOK, f.contentType, f.data)
}
