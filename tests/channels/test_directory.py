from bot.channels.directory import unit_for


def test_unit_for_reads_the_channel_map():
    env = {"WECOM_USER_UNITS": '{"zhangsan": "天河区石牌街道", "blank": " "}'}
    assert unit_for("wecom", "zhangsan", env) == "天河区石牌街道"
    assert unit_for("wecom", "lisi", env) is None
    assert unit_for("wecom", "blank", env) is None
    assert unit_for("dingtalk", "zhangsan", env) is None


def test_broken_maps_map_nobody():
    assert unit_for("wecom", "zhangsan", {"WECOM_USER_UNITS": "{not json"}) is None
    assert unit_for("wecom", "zhangsan", {"WECOM_USER_UNITS": '["zhangsan"]'}) is None
