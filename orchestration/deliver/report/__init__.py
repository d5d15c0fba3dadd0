"""The scorecard report: one self-contained HTML file (inline SVG, no scripts, no CDN) per refresh."""
