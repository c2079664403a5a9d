// Load a video player only when the visitor asks for it: until then no request leaves PaperHub.
// Without JavaScript the play link simply opens the video on its provider's site.
document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-play]");
  if (!link) return;
  const player = link.closest(".player");
  const url = player && player.dataset.embedUrl;
  if (!url) return;
  event.preventDefault();
  const frame = document.createElement("iframe");
  frame.src = url;
  frame.title = player.dataset.title || "Video";
  frame.allow = "autoplay; encrypted-media; picture-in-picture; fullscreen";
  frame.referrerPolicy = "strict-origin-when-cross-origin";
  frame.setAttribute("allowfullscreen", "");
  player.replaceChildren(frame);
  frame.focus();
});
