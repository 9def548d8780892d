"""Work-arounds for library gaps that r1kit's supported environments hit."""


def allow_processors_without_torchvision():
    """Let transformers build, save and load Qwen2-VL-style processors without torchvision.

    transformers 5.x gives these processors a video processor, which needs torchvision,
    and refuses to build one without it. CPU machines often lack torchvision (its PyPI
    wheel needs the CUDA torch); r1kit trains on images only. So where torchvision is
    missing, processors simply have no video-processor slot: they are built, saved and
    loaded with their image processor and tokenizer, and the saved folder is an ordinary
    one that a machine with torchvision loads as usual. With torchvision nothing changes.
    """
    import importlib.util

    if importlib.util.find_spec("torchvision") is not None:
        return
    from transformers.processing_utils import ProcessorMixin

    original = ProcessorMixin.get_attributes.__func__
    if getattr(original, "_r1kit", False):
        return

    def get_attributes(cls):
        return [name for name in original(cls) if name != "video_processor"]

    get_attributes._r1kit = True
    ProcessorMixin.get_attributes = classmethod(get_attributes)
