pub mod composer;
pub mod install_button;
pub mod like_button;
pub mod nav;
pub mod post_card;
pub mod post_list;
pub mod theme_toggle;
pub mod verify_banner;
