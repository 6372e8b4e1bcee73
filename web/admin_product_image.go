package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"storefront/images"
	"storefront/templates"
)

// maxImageRequest bounds an image upload's whole request: the picture
// (images.MaxBytes) and the form around it. A larger request is cut off
// by the body limit; a picture between the two gets a clear message.
const maxImageRequest = images.MaxBytes + 2<<20

// adminProductImage shows a product's picture with forms to upload a new
// one or remove it.
func (s *Server) adminProductImage(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	vm, err := s.productImagePage(c, id)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, templates.AdminProductImage(vm))
}

func (s *Server) productImagePage(c echo.Context, id uint) (templates.AdminProductImagePage, error) {
	p, err := s.db.ProductByID(c.Request().Context(), id)
	if err != nil {
		return templates.AdminProductImagePage{}, err
	}
	vm := templates.AdminProductImagePage{AdminBase: s.adminBase(c, "Image of "+p.Title, "catalog"),
		ID: p.ID, SKU: p.ExternalID, Title: p.Title, URL: ProductURL(p),
		Card: ImageURL(p), Page: PageImageURL(p), Stored: p.ImageURL,
		Uploaded: strings.HasPrefix(p.ImageURL, images.URLPrefix),
		Limits: fmt.Sprintf("JPEG, PNG, WebP or GIF, at most %d MB and %d pixels on a side. The shop stores it in sizes for cards (%d px) and the product page (%d px), without the file's metadata.",
			images.MaxBytes>>20, images.MaxSide, images.Variants[0].Box, images.Variants[1].Box)}
	return vm, nil
}

// adminProductImageUpload checks, converts and stores an uploaded picture
// and makes it the product's image.
func (s *Server) adminProductImageUpload(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	fail := func(msg string) error {
		vm, err := s.productImagePage(c, id)
		if err != nil {
			return err
		}
		vm.Error = msg
		return render(c, http.StatusUnprocessableEntity, templates.AdminProductImage(vm))
	}
	fh, err := c.FormFile("image")
	if err != nil {
		return fail("Choose a picture to upload.")
	}
	if fh.Size > images.MaxBytes {
		return fail(fmt.Sprintf("%s is larger than %d MB. Upload a smaller picture.", fh.Filename, images.MaxBytes>>20))
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := images.Read(f)
	if err != nil {
		if images.IsError(err) {
			return fail(err.Error())
		}
		return err
	}
	select {
	case s.images.work <- struct{}{}:
	case <-ctx.Done():
		return fail("The shop is busy converting other pictures. Try again in a moment.")
	}
	processed, err := images.Process(data)
	<-s.images.work
	if images.IsError(err) {
		return fail(fh.Filename + ": " + err.Error())
	}
	if err != nil {
		return err
	}
	if err := s.db.SetProductImage(ctx, staffName(c), id, processed); err != nil {
		return err
	}
	s.productImageChanged(c, id)
	s.flash(c, fmt.Sprintf("Saved the new image (%d×%d). The shop shows it within a moment.", processed.Width, processed.Height))
	return c.Redirect(http.StatusSeeOther, "/admin/catalog/"+strconv.FormatUint(uint64(id), 10)+"/image")
}

// adminProductImageRemove clears the product's picture; the shop draws one.
func (s *Server) adminProductImageRemove(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if err := s.db.RemoveProductImage(c.Request().Context(), staffName(c), id); err != nil {
		return err
	}
	s.productImageChanged(c, id)
	s.flash(c, "Removed the image. The shop shows a drawing of the product instead.")
	return c.Redirect(http.StatusSeeOther, "/admin/catalog/"+strconv.FormatUint(uint64(id), 10)+"/image")
}

func (s *Server) productImageChanged(c echo.Context, id uint) {
	if err := s.shop.ProductsChanged(c.Request().Context(), id); err != nil {
		s.log.Warn("catalog not patched after an image change; it reloads shortly", "err", err)
	}
}
