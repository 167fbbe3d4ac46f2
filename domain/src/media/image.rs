//! Turning untrusted uploads into safe images: the type is read from the bytes (never the name
//! or Content-Type), decoding runs under pixel and memory limits, EXIF orientation is applied,
//! and the picture is re-encoded, so no byte of the upload (metadata, GPS, appended payloads)
//! is ever served back.

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use std::io::Cursor;

/// Uploads are limited to this many bytes.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;
/// Neither side may exceed this; a 20000×20000 "pixel flood" is refused before decoding.
pub const MAX_SIDE: u32 = 8192;
/// Decoder allocations are capped, so a decompression bomb fails instead of eating memory.
const MAX_DECODE_BYTES: u64 = 128 * 1024 * 1024;
/// Widths rendered for `srcset`; only those narrower than the original.
pub const SIZES: [u32; 3] = [320, 640, 1280];

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ImageError {
    #[error("not a JPEG, PNG, WebP or GIF image")]
    Unsupported,
    #[error("too large: at most {MAX_SIDE} pixels a side and 128 MiB decoded")]
    TooManyPixels,
    #[error("the image data is damaged or truncated")]
    Corrupt,
    #[error("encoding failed: {0}")]
    Encode(String),
}

/// A re-encoded image, ready to store.
#[derive(Debug)]
pub struct Encoded {
    pub bytes: Vec<u8>,
    pub ext: &'static str,
    pub width: u32,
    pub height: u32,
}

/// The format of an upload, from its magic bytes. Only formats we decode safely are accepted.
fn sniff(bytes: &[u8]) -> Result<ImageFormat, ImageError> {
    match image::guess_format(bytes) {
        Ok(format @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP | ImageFormat::Gif)) => {
            Ok(format)
        }
        _ => Err(ImageError::Unsupported),
    }
}

/// Decodes an upload under limits and applies its EXIF orientation (GIFs: the first frame).
pub fn decode(bytes: &[u8]) -> Result<DynamicImage, ImageError> {
    let format = sniff(bytes)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(classify)?;
    // Some decoders treat `max_alloc` as a hint; the decoded size is known from the header,
    // so refuse a bomb here, before a single pixel is decoded.
    if decoder.total_bytes() > MAX_DECODE_BYTES {
        return Err(ImageError::TooManyPixels);
    }
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(classify)?;
    image.apply_orientation(orientation);
    Ok(image)
}

fn classify(error: image::ImageError) -> ImageError {
    match error {
        image::ImageError::Limits(_) => ImageError::TooManyPixels,
        image::ImageError::Unsupported(_) => ImageError::Unsupported,
        _ => ImageError::Corrupt,
    }
}

/// Encodes for the web: PNG when the picture has transparency, JPEG (quality 85) otherwise.
/// The encoders write pixels only, so no metadata survives.
pub fn encode(image: &DynamicImage) -> Result<Encoded, ImageError> {
    let mut bytes = Vec::new();
    let ext = if image.color().has_alpha() {
        image
            .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
            .map_err(|e| ImageError::Encode(e.to_string()))?;
        "png"
    } else {
        let rgb = DynamicImage::ImageRgb8(image.to_rgb8());
        let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 85);
        rgb.write_with_encoder(encoder).map_err(|e| ImageError::Encode(e.to_string()))?;
        "jpg"
    };
    Ok(Encoded { bytes, ext, width: image.width(), height: image.height() })
}

/// The picture scaled to `width` (keeping its aspect ratio), encoded like the original.
pub fn resized(image: &DynamicImage, width: u32) -> Result<Encoded, ImageError> {
    let height = ((image.height() as u64 * width as u64) / image.width().max(1) as u64).max(1) as u32;
    encode(&image.resize_exact(width, height, image::imageops::FilterType::Triangle))
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgba, RgbaImage};

    /// A picture in `format`: translucent as a PNG, opaque otherwise (JPEG has no alpha).
    fn picture(format: ImageFormat, width: u32, height: u32) -> Vec<u8> {
        let translucent = DynamicImage::from(RgbaImage::from_pixel(width, height, Rgba([10, 20, 30, 128])));
        let image = if format == ImageFormat::Png { translucent } else { translucent.into_rgb8().into() };
        let mut bytes = Vec::new();
        image.write_to(&mut Cursor::new(&mut bytes), format).unwrap();
        bytes
    }

    #[test]
    fn the_type_comes_from_the_bytes() {
        assert_eq!(decode(&picture(ImageFormat::Png, 4, 3)).unwrap().width(), 4);
        assert_eq!(decode(&picture(ImageFormat::Jpeg, 4, 3)).unwrap().height(), 3);
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
        assert_eq!(decode(svg).unwrap_err(), ImageError::Unsupported);
        assert_eq!(decode(b"GIF89a").unwrap_err(), ImageError::Corrupt);
        assert_eq!(decode(b"").unwrap_err(), ImageError::Unsupported);
    }

    #[test]
    fn a_truncated_image_is_corrupt() {
        let whole = picture(ImageFormat::Png, 64, 64);
        assert_eq!(decode(&whole[..whole.len() / 2]).unwrap_err(), ImageError::Corrupt);
    }

    #[test]
    fn a_polyglot_loses_its_payload_in_the_re_encode() {
        let mut polyglot = picture(ImageFormat::Png, 8, 8);
        polyglot.extend_from_slice(b"<html><script>alert(document.cookie)</script></html>");
        let out = encode(&decode(&polyglot).unwrap()).unwrap();
        assert_eq!(out.ext, "png", "transparency keeps PNG");
        assert!(!out.bytes.windows(7).any(|w| w == b"<script"));
    }

    #[test]
    fn opaque_pictures_become_jpeg_and_sizes_keep_the_aspect_ratio() {
        let image = decode(&picture(ImageFormat::Jpeg, 2000, 1000)).unwrap();
        let out = encode(&image).unwrap();
        assert_eq!((out.ext, out.width, out.height), ("jpg", 2000, 1000));
        let small = resized(&image, 320).unwrap();
        assert_eq!((small.width, small.height), (320, 160));
    }
}
