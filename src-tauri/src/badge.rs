//! The tray icon says the availability in effect: Presently's icon with a small coloured
//! dot in its lower right corner (green available, amber away, orange busy, red do not
//! disturb, grey appear offline), ringed in the panel's contrast colour so it reads on
//! light and dark panels. No dot when Presently set nothing.

use presently_core::preset::Availability;
use tauri::image::Image;

const ICON: &[u8] = include_bytes!("../../icons/icon.png");

/// RGB of the dot for an availability.
pub fn colour(availability: Availability) -> [u8; 3] {
    match availability {
        Availability::Available => [0x2f, 0x9e, 0x44],
        Availability::Away => [0xf0, 0xa2, 0x02],
        Availability::Busy => [0xe8, 0x59, 0x0c],
        Availability::DoNotDisturb => [0xe0, 0x31, 0x31],
        Availability::AppearOffline => [0x86, 0x8e, 0x96],
    }
}

/// Whether the desktop uses a dark theme (GTK_THEME such as "Adwaita:dark").
pub fn dark_panel() -> bool {
    std::env::var("GTK_THEME").is_ok_and(|theme| theme.to_ascii_lowercase().contains("dark"))
}

/// The icon for `availability` (`None`: the plain icon).
pub fn icon(availability: Option<Availability>, dark: bool) -> tauri::Result<Image<'static>> {
    let base = Image::from_bytes(ICON)?;
    let (width, height) = (base.width(), base.height());
    let mut rgba = base.rgba().to_vec();
    if let Some(availability) = availability {
        let [r, g, b] = colour(availability);
        let ring: [u8; 3] = if dark {
            [0xff, 0xff, 0xff]
        } else {
            [0x1d, 0x23, 0x27]
        };
        let size = width.min(height) as f32;
        let radius = size * 0.22;
        let ring_width = (size * 0.05).max(1.0);
        let (cx, cy) = (width as f32 - radius - 1.0, height as f32 - radius - 1.0);
        for y in 0..height {
            for x in 0..width {
                let distance =
                    ((x as f32 + 0.5 - cx).powi(2) + (y as f32 + 0.5 - cy).powi(2)).sqrt();
                let pixel = match distance {
                    d if d <= radius - ring_width => [r, g, b, 0xff],
                    d if d <= radius => [ring[0], ring[1], ring[2], 0xff],
                    _ => continue,
                };
                let at = ((y * width + x) * 4) as usize;
                rgba[at..at + 4].copy_from_slice(&pixel);
            }
        }
    }
    Ok(Image::new_owned(rgba, width, height))
}
