// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {Base64} from "@openzeppelin/contracts/utils/Base64.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

/// @title Badges that level up, drawn on-chain as SVG (lesson 10, instructor's solution).
contract Badge is ERC721 {
    using Strings for uint256;

    constructor() ERC721("Badge", "BDG") {}

    uint256 private _minted;
    mapping(uint256 => uint256) private _levels;

    error NotTheOwner(address caller, uint256 tokenId);

    /// @notice Mint the next badge (ids 1, 2, 3, ...) to the caller, at level 1.
    function mint() external returns (uint256 tokenId) {
        tokenId = ++_minted;
        _levels[tokenId] = 1;
        _mint(msg.sender, tokenId);
    }

    /// @notice The level of badge `tokenId`.
    function level(uint256 tokenId) public view returns (uint256) {
        _requireOwned(tokenId);
        return _levels[tokenId];
    }

    /// @notice Raise badge `tokenId` one level; its owner only.
    function levelUp(uint256 tokenId) external {
        if (ownerOf(tokenId) != msg.sender) revert NotTheOwner(msg.sender, tokenId);
        _levels[tokenId] += 1;
    }

    /// @notice The badge's metadata: JSON in a data URI, with an SVG image in a data URI.
    function tokenURI(uint256 tokenId) public view override returns (string memory) {
        string memory id = tokenId.toString();
        string memory lvl = level(tokenId).toString();
        string memory svg = string.concat(
            '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200" viewBox="0 0 200 200">',
            '<rect width="200" height="200" rx="24" fill="hsl(',
            (level(tokenId) * 47 % 360).toString(),
            ', 70%, 45%)"/>',
            '<text x="100" y="80" font-size="24" text-anchor="middle" fill="white">Badge #',
            id,
            "</text>",
            '<text x="100" y="130" font-size="32" text-anchor="middle" fill="white">Level ',
            lvl,
            "</text></svg>"
        );
        string memory json = string.concat(
            '{"name": "Badge #',
            id,
            '", "description": "A badge that levels up, drawn on-chain.", "image": "data:image/svg+xml;base64,',
            Base64.encode(bytes(svg)),
            '", "attributes": [{"trait_type": "Level", "value": ',
            lvl,
            "}]}"
        );
        return string.concat("data:application/json;base64,", Base64.encode(bytes(json)));
    }
}
