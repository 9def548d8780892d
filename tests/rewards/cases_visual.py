"""One valid row for each visual reward, so the hostile-output tests reach their scoring code."""

BOX = [10, 20, 110, 220]
OBJECTS = [{"bbox_2d": [10, 20, 110, 220], "label": "cat"}, {"bbox_2d": [150, 150, 200, 210], "label": "dog"}]
TYPE_ACTION = {"action": "type", "bbox": [0, 0, 100, 40], "text": "hello world"}
JIGSAW = {"answer": [2, 0, 3, 1, 5, 4], "grid": [2, 3]}

CASES = {
    "answer_in_set": {"columns": {"answer": ["two", "2"]}},
    "caption_overlap": {"columns": {"caption": "two dogs play on the grass"}},
    "region_union_iou": {"columns": {"boxes": [BOX, [150, 150, 200, 210]]}},
    "iou": {"columns": {"answer": BOX}},
    "giou": {"columns": {"answer": BOX}},
    "detection": {"columns": {"answer": OBJECTS}},
    "od_map": {"columns": {"answer": OBJECTS}},
    "box_precision": {"columns": {"answer": OBJECTS}},
    "box_recall": {"columns": {"answer": OBJECTS}},
    "box_json_format": {"columns": {"answer": OBJECTS}},
    "jigsaw_position": {"columns": JIGSAW},
    "jigsaw_adjacency": {"columns": JIGSAW},
    "jigsaw_format": {"columns": JIGSAW},
    "gui_action_type": {"columns": {"answer": TYPE_ACTION}},
    "gui_click": {"columns": {"answer": TYPE_ACTION}},
    "gui_args": {"columns": {"answer": TYPE_ACTION}},
    "gui_action": {"columns": {"answer": {"action": "click", "bbox": [0, 0, 100, 40], "text": None}}},
    "gui_format": {"columns": {"answer": TYPE_ACTION}},
    "class_match": {"columns": {"answer": "golden retriever", "labels": ["golden retriever", "cat", "dog"]},
                    "options": {"match": "contains"}},
}
